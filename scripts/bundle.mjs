/**
 * `npm run build` bundles the CLI after tsc (dist/bundle/, what `bin` runs): one file per command
 * (esbuild's splitting keeps each command's code loaded only when it runs) instead of some 200 modules
 * read, resolved and linked one by one at every start; measured by bench:cli (test/bench/cli-startup.ts).
 * node-ssh and ssh2 stay in node_modules (native parts, loaded only to connect); CommonJS libraries
 * bundled into ESM get a real require for Node's built-ins. The chunks sit two levels below the package
 * root, as dist/core does, so src/core/paths.ts finds roles/ and templates/ the same way.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bundle',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  external: ['node-ssh', 'ssh2', 'cpu-features'],
  banner: { js: "import { createRequire as __provisionRequire } from 'node:module'; const require = __provisionRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
