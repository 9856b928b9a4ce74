/**
 * `npm run build` bundles the CLI after tsc (dist/bundle/, what `bin` runs): one file per command
 * (esbuild's splitting keeps each command's code loaded only when it runs) instead of some 200 modules
 * read, resolved and linked one by one at every start; measured by bench:cli (test/bench/cli-startup.ts).
 * node-ssh and ssh2 stay in node_modules (native parts, loaded only to connect); CommonJS libraries
 * bundled into ESM get a real require for Node's built-ins. The chunks sit two levels below the package
 * root, as dist/core does, so src/core/paths.ts finds roles/ and templates/ the same way.
 * main.js starts with a `#!/bin/sh` launcher line instead of `#!/usr/bin/env node` (why: src/cli/launcher.ts,
 * read here from tsc's output, which `build` makes first).
 */
import { build } from 'esbuild';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { launcherLine } from '../dist/cli/launcher.js';
import { bundleOptions } from './bundle-options.mjs';

// Emptied first: chunks are named by their hash, and an earlier build's would stay beside the new ones.
rmSync('dist/bundle', { recursive: true, force: true });
await build(bundleOptions(['src/cli/main.ts'], 'dist/bundle'));

const main = 'dist/bundle/main.js';
const text = readFileSync(main, 'utf8');
const hashbang = '#!/usr/bin/env node\n';
if (!text.startsWith(hashbang)) throw new Error(`${main} does not start with ${hashbang.trim()}: the launcher line has nowhere to go`);
// The launcher line is one more generated line: one more ';' at the head of the source map's mappings keeps
// every mapping on its line.
writeFileSync(main, `#!/bin/sh\n${launcherLine()}\n${text.slice(hashbang.length)}`);
chmodSync(main, 0o755);
const map = JSON.parse(readFileSync(`${main}.map`, 'utf8'));
writeFileSync(`${main}.map`, JSON.stringify({ ...map, mappings: `;${map.mappings}` }));
