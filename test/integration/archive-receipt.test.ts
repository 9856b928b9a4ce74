import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, TaskResult } from '../../src/core/events.js';
import { prepareRun } from '../../src/plan/prepare.js';
import { applyRun } from '../../src/rollout/rollout.js';
import { archiveReceiptPath } from '../../src/facts/archive.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { LocalTransport } from '../../src/transport/local-transport.js';
import { releaseArchive } from '../helpers/release-archive.js';

/**
 * unarchive's quick check on this machine (local transport, real GNU tar and coreutils): the
 * receipt written by an extraction lets a re-run decide by stat alone, and drift is still repaired.
 */
describe('unarchive: receipt and quick check (local transport)', function () {
  this.timeout(30_000);
  const root = mkdtempSync(join(tmpdir(), 'provision-receipt-'));
  const work = join(root, 'work');
  const dest = join(work, 'bin');
  const src = join(root, 'release.tar.gz');
  const receipt = archiveReceiptPath(src, dest, 1, []);

  before(() => {
    mkdirSync(work);
    releaseArchive(root, src);
    mkdirSync(join(root, 'roles', 'r'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'roles', 'variables.yaml'), 'variables: {}\n');
    writeFileSync(
      join(root, 'roles', 'r', 'role.yaml'),
      `description: test role\ntasks:\n  - name: unpack\n    unarchive: { src: ${JSON.stringify(src)}, dest: ${JSON.stringify(dest)}, strip_components: 1 }\n`,
    );
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(receipt, { force: true });
  });

  async function run(check = false, verifyContent = false) {
    const inv = new Inventory();
    inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
    const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates') });
    const events: RunEvent[] = [];
    const summary = await applyRun(prepared, {
      check,
      verifyContent,
      backupRoot: join(root, 'backups'),
      connect: async () => new LocalTransport(),
      listener: (e) => events.push(e),
    });
    expect(summary.exitCode).to.equal(0);
    return events.find((e): e is RunEvent & TaskResult => e.type === 'task-result' && e.task === 'unpack')!;
  }

  it('writes a receipt on extraction; a re-run decides by the receipt alone', async () => {
    expect((await run()).status).to.equal('changed');
    const lines = readFileSync(receipt, 'utf8').trim().split('\n');
    // The archive's size, mtime (ns) and inode; each member's size, mtime (ns), mode and inode: no checksum.
    expect(lines[0]).to.equal(`archive-v2 ${statSync(src).size} ${execFileSync('stat', ['-c', '%.9Y %i', src], { encoding: 'utf8' }).trim()}`);
    expect(lines).to.include(`${'#!/bin/sh\necho tool v1\n'.length} 1600000000.000000000 755 ${statSync(join(dest, 'tool')).ino} tool`);
    const again = await run();
    expect(again.status).to.equal('ok');
    expect(again.reason).to.match(/quick check against the receipt/);
  });

  it('a member edited to the same size (new mtime) is found by check and repaired by apply', async () => {
    writeFileSync(join(dest, 'tool'), '#!/bin/sh\necho tool XX\n');
    const check = await run(true);
    expect(check.status).to.equal('changed');
    expect(readFileSync(join(dest, 'tool'), 'utf8')).to.equal('#!/bin/sh\necho tool XX\n');
    expect((await run()).status).to.equal('changed');
    expect(readFileSync(join(dest, 'tool'), 'utf8')).to.equal('#!/bin/sh\necho tool v1\n');
    expect((await run()).status).to.equal('ok');
  });

  it('a deleted member, and one replaced by a directory, are repaired', async () => {
    unlinkSync(join(dest, 'helper'));
    const missing = await run();
    expect(missing.status).to.equal('changed');
    expect(missing.changes?.[0]).to.match(/1 missing/);
    expect(readFileSync(join(dest, 'helper'), 'utf8')).to.equal('helper v1\n');
    unlinkSync(join(dest, 'tool'));
    mkdirSync(join(dest, 'tool'));
    const dir = await run();
    expect(dir.status).to.equal('changed');
    expect(dir.changes?.[0]).to.match(/tool: not a regular file/);
    expect(readFileSync(join(dest, 'tool'), 'utf8')).to.equal('#!/bin/sh\necho tool v1\n');
  });

  it('an in-place edit keeping size and mtime passes the quick check; --verify-content compares content and repairs it', async () => {
    const ns = statSync(join(dest, 'helper'), { bigint: true }).mtimeNs;
    execFileSync('sh', ['-c', `printf 'helper XX\\n' 1<> "$1"`, 'sh', join(dest, 'helper')]);
    execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, join(dest, 'helper')]);
    expect((await run()).status).to.equal('ok');
    const deep = await run(false, true);
    expect(deep.status).to.equal('changed');
    expect(readFileSync(join(dest, 'helper'), 'utf8')).to.equal('helper v1\n');
  });

  it('without a receipt the archive is compared by content (tar --compare); matching files get a receipt, so the next run is quick', async () => {
    rmSync(receipt);
    const check = await run(true);
    expect(check.status).to.equal('ok');
    expect(existsSync(receipt)).to.equal(false);
    const deep = await run();
    expect(deep.status).to.equal('ok');
    expect(deep.reason).to.match(/match the archive \(receipt written\)$/);
    expect(readFileSync(receipt, 'utf8')).to.match(/^archive-v2 /);
    expect((await run()).reason).to.match(/quick check against the receipt/);
  });

  it("an older provision's receipt (sha256 per member, mtime to the second) is stale: not trusted, not an error, rewritten", async () => {
    const old = [`archive ${execFileSync('stat', ['-c', '%s %Y', src], { encoding: 'utf8' }).trim()}`];
    for (const f of ['tool', 'helper']) {
      const sha = execFileSync('sha256sum', [join(dest, f)], { encoding: 'utf8' }).split(' ')[0];
      old.push(`${execFileSync('stat', ['-c', '%s %Y %a', join(dest, f)], { encoding: 'utf8' }).trim()} ${sha} ${f}`);
    }
    writeFileSync(receipt, `${old.join('\n')}\n`);
    const stale = await run();
    expect(stale.status).to.equal('ok');
    expect(stale.reason).to.not.match(/quick check/);
    expect(readFileSync(receipt, 'utf8')).to.match(/^archive-v2 /);
    expect((await run()).reason).to.match(/quick check against the receipt/);
  });
});
