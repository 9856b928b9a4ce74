import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { exportsOf } from '../../src/cri/cri-proto.js';

/**
 * The libraries the CLI imports with import() (grpc-js, proto-loader: CommonJS), loaded as the built CLI
 * loads them: bundled with the build's own esbuild options (scripts/bundle-options.mjs), then run by node.
 * The tests run the TypeScript sources, where import() of a CommonJS library gives its named exports; the
 * bundle gives only `default`, and the pod check of the built CLI failed with "loader.load is not a function"
 * while every test passed.
 */
describe('libraries imported with import(), as the built CLI loads them', function () {
  this.timeout(120_000);
  // Two levels below the package root, as dist/bundle, so that the proto is found the same way.
  const out = resolve('dist', `bundle-test-${process.pid}`);
  after(() => rmSync(out, { recursive: true, force: true }));

  it('exportsOf takes the named exports, or the default a bundle gives', () => {
    const lib = { load: () => 1 };
    expect(exportsOf(lib, 'load')).to.equal(lib);
    expect(exportsOf({ default: lib } as unknown as typeof lib, 'load')).to.equal(lib);
  });

  it('the CRI package (grpc-js and the parsed runtime.v1 proto) loads from a bundle', async () => {
    mkdirSync(out, { recursive: true });
    const entry = join(out, 'entry.ts');
    writeFileSync(
      entry,
      [
        `import { criPackage } from ${JSON.stringify(resolve('src/cri/cri-proto.ts'))};`,
        'const p = await criPackage();',
        'console.log(JSON.stringify({ insecure: typeof p.grpc.credentials.createInsecure, runtime: Object.keys(p.RuntimeService.service).sort(), images: typeof p.ImageService }));',
        '',
      ].join('\n'),
    );
    // @ts-expect-error: a plain ES module of the build, without types
    const { bundleOptions } = await import('../../scripts/bundle-options.mjs');
    await build(bundleOptions([entry], out));
    const r = spawnSync(process.execPath, [join(out, 'entry.js')], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const loaded = JSON.parse(r.stdout);
    expect(loaded.insecure).to.equal('function');
    expect(loaded.images).to.equal('function');
    expect(loaded.runtime).to.include.members(['RunPodSandbox', 'CreateContainer', 'StartContainer', 'Status', 'Version']);
  });
});
