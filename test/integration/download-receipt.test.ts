import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, TaskResult } from '../../src/core/events.js';
import { prepareRun } from '../../src/plan/prepare.js';
import { applyRun } from '../../src/rollout/rollout.js';
import { downloadReceiptPath } from '../../src/facts/download-receipt.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { LocalTransport } from '../../src/transport/local-transport.js';

/**
 * download's receipt on this machine (local transport, real curl, an HTTP server on loopback that
 * counts what it serves): a re-run decides by stat without fetching the checksum file again or
 * reading the file; a changed file is found and repaired; --verify-content reads it anyway.
 */
describe('download: receipt and quick check (local transport)', function () {
  this.timeout(30_000);
  const root = mkdtempSync(join(tmpdir(), 'provision-dl-receipt-'));
  const dest = join(root, 'bin', 'tool');
  const body = '#!/bin/sh\necho tool v1\n';
  const served: string[] = [];
  let server: Server;
  let url = '';
  let receipt = '';

  before(async () => {
    server = createServer((req, res) => {
      served.push(req.url!);
      if (req.url === '/tool') res.end(body);
      else if (req.url === '/tool.sha256') res.end(`${createHash('sha256').update(body).digest('hex')}  tool\n`);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    receipt = downloadReceiptPath(`${url}/tool`, dest, `${url}/tool.sha256`);
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'roles', 'r'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'roles', 'variables.yaml'), 'variables: {}\n');
    writeFileSync(
      join(root, 'roles', 'r', 'role.yaml'),
      `description: test role\ntasks:\n  - name: fetch\n    download: { url: "${url}/tool", checksum_url: "${url}/tool.sha256", dest: ${JSON.stringify(dest)}, mode: "0755" }\n`,
    );
  });
  after(() => {
    server?.close();
    rmSync(root, { recursive: true, force: true });
    if (receipt) rmSync(receipt, { force: true });
  });

  async function run(opts: { check?: boolean; verifyContent?: boolean } = {}) {
    const inv = new Inventory();
    inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
    const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates') });
    const events: RunEvent[] = [];
    served.length = 0;
    const summary = await applyRun(prepared, {
      ...opts,
      backupRoot: join(root, 'backups'),
      connect: async () => new LocalTransport(),
      listener: (e) => events.push(e),
    });
    expect(summary.exitCode, JSON.stringify(events.filter((e) => e.type === 'task-result'))).to.equal(0);
    return events.find((e): e is RunEvent & TaskResult => e.type === 'task-result' && e.task === 'fetch')!;
  }

  it('writes a receipt on download; a re-run fetches nothing and decides by the receipt', async () => {
    expect((await run()).status).to.equal('changed');
    expect(served).to.deep.equal(['/tool.sha256', '/tool']);
    const lines = readFileSync(receipt, 'utf8').trim().split('\n');
    const st = statSync(dest, { bigint: true });
    expect(lines[0]).to.match(new RegExp(`^stat ${body.length} ${st.mtimeMs / 1000n}\\.\\d{9} ${st.ino}$`));
    expect(lines[1]).to.equal(`sha ${createHash('sha256').update(body).digest('hex')}`);
    const again = await run();
    expect(again.status).to.equal('ok');
    expect(again.reason).to.match(/quick check against the receipt/);
    expect(served).to.deep.equal([]);
  });

  it('a hand-edited file is found by --check and repaired by a plain run; a removed one too', async () => {
    writeFileSync(dest, '#!/bin/sh\necho tool XX\n');
    expect((await run({ check: true })).status).to.equal('changed');
    expect(readFileSync(dest, 'utf8')).to.equal('#!/bin/sh\necho tool XX\n');
    const repaired = await run();
    expect(repaired.status).to.equal('changed');
    expect(readFileSync(dest, 'utf8')).to.equal(body);
    rmSync(dest);
    expect((await run()).status).to.equal('changed');
    expect(readFileSync(dest, 'utf8')).to.equal(body);
    expect((await run()).reason).to.match(/quick check/);
  });

  it('an edit that keeps size and mtime passes the quick check; --verify-content finds and repairs it', async () => {
    const ns = statSync(dest, { bigint: true }).mtimeNs;
    // Written in place (same inode), same size, mtime set back to the nanosecond: only reading the content tells.
    execFileSync('sh', ['-c', `printf '%s' "$1" 1<> "$2"`, 'sh', '#!/bin/sh\necho tool ZZ\n', dest]);
    execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, dest]);
    const quick = await run();
    expect(quick.status).to.equal('ok');
    expect(readFileSync(dest, 'utf8')).to.equal('#!/bin/sh\necho tool ZZ\n');
    const deep = await run({ verifyContent: true });
    expect(deep.status).to.equal('changed');
    expect(served).to.include('/tool.sha256');
    expect(readFileSync(dest, 'utf8')).to.equal(body);
  });
});
