import { expect } from 'chai';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_NODE_OPTIONS, launcherLine, restoreExtraCaCerts, SAVED_EXTRA_CA_CERTS, TLS_FREE_FIRST_ARGS } from '../../../src/cli/launcher.js';

/** The launcher line as the build writes it (scripts/bundle.mjs), over a program that prints what node got. */
describe('the built CLI launcher (#!/bin/sh, then node)', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'provision-launcher-'));
    file = join(dir, 'main.mjs');
    const program = [
      'if (process.env.PROVISION_LAUNCHER_SHOW_EXEC_ARGV) console.log(JSON.stringify({ execArgv: process.execArgv }));',
      `else console.log(JSON.stringify({ argv: process.argv.slice(2), extra: process.env.NODE_EXTRA_CA_CERTS ?? null, saved: process.env.${SAVED_EXTRA_CA_CERTS} ?? null }));`,
    ].join('\n');
    writeFileSync(file, `#!/bin/sh\n${launcherLine()}\n${program}\n`);
    chmodSync(file, 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const spawn = (args: string[], env: NodeJS.ProcessEnv, command = file) => {
    const r = spawnSync(command, command === file ? args : [file, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    return JSON.parse(r.stdout);
  };
  const run = (args: string[], extra?: string, command = file) =>
    spawn(args, { NODE_EXTRA_CA_CERTS: extra }, command) as { argv: string[]; extra: string | null; saved: string | null };

  it('starts node without NODE_EXTRA_CA_CERTS for the commands that open no TLS connection, keeping it aside', () => {
    const certs = join(dir, 'none.pem');
    writeFileSync(certs, '');
    for (const first of TLS_FREE_FIRST_ARGS) expect(run([first, '-i', 'h1,'], certs)).to.deep.equal({ argv: [first, '-i', 'h1,'], extra: null, saved: certs });
  });

  it('leaves it to apply (the default command, whose HTTP gates may use it) and to anything else', () => {
    const certs = join(dir, 'none.pem');
    for (const args of [['apply', '-i', 'h1,'], ['-i', 'h1,'], [], ['preflight'], ['Render']]) {
      expect(run(args, certs)).to.deep.equal({ argv: args, extra: certs, saved: null });
    }
  });

  it("starts node with the CLI's V8 options for a rollout, which node takes (a V8 option it did not know would stop it), and without them for the short commands", () => {
    const inNode = spawnSync(process.execPath, [...CLI_NODE_OPTIONS, '-p', 'require("v8").getHeapStatistics().total_heap_size > 0'], { encoding: 'utf8' });
    expect(inNode.stderr).to.equal('');
    expect(inNode.stdout.trim()).to.equal('true');
    const execArgv = (args: string[]) => (spawn(args, { PROVISION_LAUNCHER_SHOW_EXEC_ARGV: '1' }) as { execArgv: string[] }).execArgv;
    for (const args of [['apply'], [], ['-i', 'h1,'], ['preflight'], ['Render']]) expect(execArgv(args), args.join(' ')).to.deep.equal([...CLI_NODE_OPTIONS]);
    for (const first of TLS_FREE_FIRST_ARGS) expect(execArgv([first]), first).to.deep.equal([]);
  });

  it('sets nothing where the variable was not set, and is a plain comment when node runs the file itself', () => {
    expect(run(['render'])).to.deep.equal({ argv: ['render'], extra: null, saved: null });
    expect(run(['render'], 'x.pem', process.execPath)).to.deep.equal({ argv: ['render'], extra: 'x.pem', saved: null });
  });

  it('carries any value and any arguments through unchanged (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 3 }), (value, rest) => {
        const args = ['inventory', ...rest];
        // Node reads the file named by the variable only when it reaches node, which it does not here.
        expect(run(args, value)).to.deep.equal({ argv: args, extra: null, saved: value });
      }),
      { numRuns: 15 },
    );
  });
});

describe('restoreExtraCaCerts', () => {
  it('puts the saved value back under its own name, for the processes the CLI runs', () => {
    const env: NodeJS.ProcessEnv = { [SAVED_EXTRA_CA_CERTS]: '/etc/corp-ca.pem', PATH: '/bin' };
    restoreExtraCaCerts(env);
    expect(env).to.deep.equal({ NODE_EXTRA_CA_CERTS: '/etc/corp-ca.pem', PATH: '/bin' });
  });

  it('changes nothing when the launcher saved nothing', () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/a.pem' };
    restoreExtraCaCerts(env);
    expect(env).to.deep.equal({ NODE_EXTRA_CA_CERTS: '/a.pem' });
  });
});
