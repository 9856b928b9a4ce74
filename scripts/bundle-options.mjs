/**
 * esbuild's options for the built CLI (scripts/bundle.mjs), shared with the test that bundles a library
 * loader the same way (test/integration/bundled-libraries.test.ts): what the bundle does to a CommonJS
 * library imported with import() must be seen by a test, not first by an operator.
 */
export const bundleOptions = (entryPoints, outdir) => ({
  entryPoints,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  external: ['node-ssh', 'ssh2', 'cpu-features'],
  banner: { js: "import { createRequire as __provisionRequire } from 'node:module'; const require = __provisionRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
