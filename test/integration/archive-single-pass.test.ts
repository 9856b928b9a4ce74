import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { RunEvent, TaskResult } from '../../src/core/events.js';
import { markerPath } from '../../src/apply/owed-handlers.js';
import { prepareRun } from '../../src/plan/prepare.js';
import { applyRun } from '../../src/rollout/rollout.js';
import { archiveFact, archiveReceiptPath } from '../../src/facts/archive.js';
import { downloadReceiptPath } from '../../src/facts/download-receipt.js';
import { unarchiveTask } from '../../src/tasks/unarchive.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { LocalTransport } from '../../src/transport/local-transport.js';
import { releaseArchive } from '../helpers/release-archive.js';

/**
 * A download then an unarchive of what it brought, notifying a handler, on this machine (local
 * transport, real GNU tar, curl over file://): the archive is read once, on the node, which decides
 * whether anything changed; the handler runs only when it did. A `tar` first on the PATH logs every
 * invocation, so the tests see how often the archive is read.
 */
describe('unarchive: one pass over an archive a download of the same run brings (local transport)', function () {
  this.timeout(60_000);
  const root = mkdtempSync(join(tmpdir(), 'provision-single-pass-'));
  const work = join(root, 'work');
  const dest = join(work, 'bin');
  const release = join(root, 'release.tar.gz');
  const archive = join(work, 'release.tar.gz');
  const restarts = join(work, 'restarts');
  const tarLog = join(root, 'tar.log');
  /** While it exists, tar takes 30 s (for the time limit). */
  const slow = join(root, 'slow');
  const receipt = archiveReceiptPath(archive, dest, 1, []);
  const marker = markerPath('r', 'restart');
  const path = process.env.PATH;
  let sha = '';

  before(() => {
    mkdirSync(work);
    releaseArchive(root, release);
    sha = createHash('sha256').update(readFileSync(release)).digest('hex');
    // The shim: every tar the node runs is logged with its arguments, then the real one runs.
    const shims = join(root, 'shims');
    mkdirSync(shims);
    // The real tar found on the PATH without the shim, so that it names itself "tar" in its messages.
    writeFileSync(join(shims, 'tar'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${tarLog}\n[ ! -e ${slow} ] || sleep 30\nPATH=${path} exec tar "$@"\n`);
    chmodSync(join(shims, 'tar'), 0o755);
    process.env.PATH = `${shims}:${path}`;
    mkdirSync(join(root, 'roles', 'r'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'roles', 'variables.yaml'), 'variables: {}\n');
    writeFileSync(
      join(root, 'roles', 'r', 'role.yaml'),
      [
        'description: test role',
        'tasks:',
        '  - name: fetch',
        `    download: { url: ${JSON.stringify(`file://${release}`)}, dest: ${JSON.stringify(archive)}, sha256: ${sha} }`,
        '  - name: unpack',
        `    unarchive: { src: ${JSON.stringify(archive)}, dest: ${JSON.stringify(dest)}, strip_components: 1, owner: root, group: root }`,
        '    notify: [restart]',
        'handlers:',
        '  - name: restart',
        `    command: { cmd: ${JSON.stringify(`echo restarted >> ${restarts}`)} }`,
        '',
      ].join('\n'),
    );
  });
  after(() => {
    process.env.PATH = path;
    for (const f of [root, receipt, marker, downloadReceiptPath(`file://${release}`, archive)]) rmSync(f, { recursive: true, force: true });
  });

  async function run(check = false, taskTimeoutS?: number) {
    writeFileSync(tarLog, '');
    const inv = new Inventory();
    inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
    const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates') });
    const events: RunEvent[] = [];
    let scripts = 0;
    const summary = await applyRun(prepared, {
      check,
      ...(taskTimeoutS ? { timeLimitS: taskTimeoutS } : {}),
      backupRoot: join(root, 'backups'),
      runId: `run${Date.now()}`,
      connect: async () =>
        new (class extends LocalTransport {
          override run(script: string, opts?: Parameters<LocalTransport['run']>[1]) {
            scripts++;
            return super.run(script, opts);
          }
        })(),
      listener: (e) => events.push(e),
    });
    const results = events.filter((e): e is RunEvent & TaskResult => e.type === 'task-result');
    const result = (task: string) => results.find((r) => r.task === task);
    const tars = readFileSync(tarLog, 'utf8').trim().split('\n').filter(Boolean);
    return { summary, result, results, tars, scripts, runId: summary.runId };
  }
  const restartCount = () => (existsSync(restarts) ? readFileSync(restarts, 'utf8').split('\n').filter(Boolean).length : 0);
  const staging = () => readdirSync(dest).filter((f) => f.startsWith('.provision-unarchive'));

  it('first install: one extraction, no tar -t anywhere, no wait before it; the handler runs and is no longer owed', async () => {
    const r = await run();
    expect(r.summary.exitCode).to.equal(0);
    expect(r.results.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['fetch: changed', 'unpack: changed', 'restart: changed']);
    expect(r.result('unpack')!.changes).to.deep.equal([`extract ${archive} into ${dest} (the archive comes from an earlier task)`]);
    // The archive is read once, by the extraction; the facts gathered after it are stat only (the fresh receipt).
    expect(r.tars).to.have.length(1);
    expect(r.tars[0]).to.match(/^-x -v -f /);
    // The preflight's gather; the download and the extraction in one apply script (no wait for the archive to be
    // listed); the handler, which only the node's outcome notifies, in the next.
    expect(r.scripts).to.equal(3);
    expect(readFileSync(join(dest, 'tool'), 'utf8')).to.equal('#!/bin/sh\necho tool v1\n');
    expect(statSync(join(dest, 'tool')).mode & 0o777).to.equal(0o755);
    expect(restartCount()).to.equal(1);
    expect(existsSync(marker)).to.equal(false);
    expect(staging()).to.deep.equal([]);
    expect(readFileSync(receipt, 'utf8')).to.match(/^archive-v2 /);
  });

  it('a re-downloaded archive with identical installed files: ok, decided on the node; the handler neither runs nor is left owed', async () => {
    rmSync(archive);
    const toolInode = statSync(join(dest, 'tool')).ino;
    const r = await run();
    expect(r.summary.exitCode).to.equal(0);
    expect(r.results.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['fetch: changed', 'unpack: ok']);
    expect(r.result('unpack')!.reason).to.equal(`files from ${archive} in ${dest} already matched the archive`);
    expect(r.result('unpack')!.changes).to.deep.equal([]);
    expect(r.tars.filter((t) => t.startsWith('-t') || t.startsWith('-d'))).to.deep.equal([]);
    expect(restartCount()).to.equal(1);
    expect(existsSync(marker)).to.equal(false);
    // Nothing was moved: the installed file is the one that was there.
    expect(statSync(join(dest, 'tool')).ino).to.equal(toolInode);
    expect(staging()).to.deep.equal([]);
    // The receipt now records the new archive: the next run is quick, reads nothing, changes nothing.
    const again = await run();
    expect(again.results.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['fetch: ok', 'unpack: ok']);
    expect(again.result('unpack')!.reason).to.match(/quick check against the receipt/);
    expect(again.tars).to.deep.equal([]);
  });

  it('a handler already owed by an earlier run stays owed through an unchanged outcome, and runs', async () => {
    rmSync(archive);
    writeFileSync(marker, '');
    const r = await run();
    expect(r.results.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['fetch: changed', 'unpack: ok', 'restart: changed']);
    expect(restartCount()).to.equal(2);
    expect(existsSync(marker)).to.equal(false);
  });

  it('a member changed by hand (new mtime): the node finds it, backs it up and renames the archive copy over it; the handler runs', async () => {
    writeFileSync(join(dest, 'helper'), 'helper by hand\n');
    const before = statSync(join(dest, 'helper')).ino;
    const check = await run(true);
    expect(check.result('unpack')!.status).to.equal('changed');
    const r = await run();
    expect(r.results.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['fetch: ok', 'unpack: changed', 'restart: changed']);
    expect(r.result('unpack')!.changes![0]).to.match(/helper: size, mtime, mode or inode differ from the receipt/);
    expect(readFileSync(join(dest, 'helper'), 'utf8')).to.equal('helper v1\n');
    // Renamed into place (a new inode), not written over: a reader never sees half a file.
    expect(statSync(join(dest, 'helper')).ino).to.not.equal(before);
    expect(readFileSync(join(root, 'backups', r.runId, dest, 'helper'), 'utf8')).to.equal('helper by hand\n');
    // Only the member that differed was replaced (and backed up).
    expect(existsSync(join(root, 'backups', r.runId, dest, 'tool'))).to.equal(false);
    expect(restartCount()).to.equal(3);
    expect(existsSync(marker)).to.equal(false);
    expect(staging()).to.deep.equal([]);
  });

  it('a member only touched (same content): the node decides nothing changed; no handler', async () => {
    utimesSync(join(dest, 'tool'), 1_700_000_000, 1_700_000_000);
    const r = await run();
    expect(r.results.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['fetch: ok', 'unpack: ok']);
    expect(r.result('unpack')!.reason).to.equal(`files from ${archive} in ${dest} already matched the archive`);
    expect(restartCount()).to.equal(3);
    expect(existsSync(marker)).to.equal(false);
    expect((await run()).result('unpack')!.reason).to.match(/quick check against the receipt/);
  });

  it('an extraction past its time limit fails the task and leaves no staging directory, dest untouched', async () => {
    rmSync(archive);
    const before = statSync(join(dest, 'tool')).ino;
    writeFileSync(slow, '');
    try {
      const r = await run(false, 2);
      expect(r.result('unpack')!.status).to.equal('failed');
      expect(r.result('unpack')!.error).to.match(/^timed out after 2 s/);
    } finally {
      rmSync(slow);
    }
    expect(staging()).to.deep.equal([]);
    expect(statSync(join(dest, 'tool')).ino).to.equal(before);
    // The handler the extraction notified is owed (its outcome is not known): the next run runs it.
    expect(existsSync(marker)).to.equal(true);
    const again = await run();
    expect(again.results.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['fetch: ok', 'unpack: ok', 'restart: changed']);
    expect(existsSync(marker)).to.equal(false);
  });

  it('an archive missing when the extraction runs fails the task, naming the archive', () => {
    const gone = join(root, 'gone.tar.gz');
    const replaced = { archiveExists: true, differences: [], owners: [], quick: false, replaced: true };
    const args = { src: gone, dest: join(root, 'other'), strip_components: 1 };
    const plan = unarchiveTask.plan(args, new Map([[archiveFact(gone, join(root, 'other'), 1, []).key, replaced]]), {
      check: false,
      diff: false,
      backupDir: join(root, 'backups', 'x'),
    });
    expect('changes' in plan && plan.changes[0]!.decidedOnNode).to.deep.equal({
      unchanged: `files from ${gone} in ${join(root, 'other')} already matched the archive`,
    });
    const r = spawnSync('/bin/sh', ['-c', `set -e\n${'changes' in plan ? plan.changes[0]!.script : ''}`], { encoding: 'utf8' });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(`archive ${gone} does not exist on the node (no earlier task brought it)\n`);
    expect(existsSync(join(root, 'other'))).to.equal(false);
  });
});
