import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { changedTasks, provision, type Report } from '../helpers/fleet-run.js';

/**
 * Drift on a real fleet node after the migration: installed binaries edited or removed by hand are
 * found by the receipts' quick check (no archive or download read on a converged node) and put
 * back by a plain re-run; an edit that keeps size and mtime needs --verify-content.
 * kubelet is the fleet's STAND-IN (see test/fleet/image/kubelet-standin.py).
 */
describe('end to end: drift of installed binaries repaired by a plain re-run (receipts, quick check)', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-drift-'));
  let n = 0;
  const run = (...args: string[]) => provision(fleet, args, join(out, `${n++}.json`));
  const node = (cmd: string) => fleet.ssh('worker01', cmd).stdout;
  const installed = '/usr/local/sbin/runc /usr/local/bin/containerd /usr/local/bin/ctr /usr/local/bin/containerd-shim-runc-v2';
  const reasonOf = (r: Report, task: string) => (r.tasks.find((t) => t.task === task) as { reason?: string } | undefined)?.reason;
  let sums = '';

  before(async function () {
    requireFleet(this, 'end-to-end tests');
    fleet = await Fleet.up(await testFleetDir('drift'), [{ name: 'worker01', kubeletVersion: '1.23' }]);
    const first = run();
    expect(first.code, first.stdout + first.stderr).to.equal(0);
    sums = node(`sha256sum ${installed}`);
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('a converged node is checked by receipts: no download, no archive read, at most 2 SSH sessions', () => {
    const r = run();
    expect(r.code).to.equal(0);
    expect(r.report.summary.worker01).to.deep.include({ changed: 0, failed: 0 });
    expect(r.report.roundTrips.worker01).to.be.at.most(2);
    for (const t of ['Install the runc binary', 'Download containerd', 'Download the CNI plugins', 'Install the containerd binaries', 'Unpack the CNI plugins'])
      expect(reasonOf(r.report, t), t).to.match(/quick check against the receipt/);
  });

  it('a hand-edited runc and a removed ctr: --check names both and changes nothing; a plain re-run repairs them', () => {
    node('printf "#tampered\\n" >> /usr/local/sbin/runc && rm /usr/local/bin/ctr');
    const check = run('--check');
    expect(check.code).to.equal(0);
    expect(changedTasks(check.report, 'worker01')).to.deep.equal([
      'install-runc: Install the runc binary',
      'install-containerd: Install the containerd binaries',
      'install-containerd (handler): restart containerd',
    ]);
    expect(fleet.ssh('worker01', 'test -e /usr/local/bin/ctr', { allowFail: true }).code).to.equal(1);

    const repair = run();
    expect(repair.code, repair.stdout + repair.stderr).to.equal(0);
    expect(changedTasks(repair.report, 'worker01')).to.deep.equal(changedTasks(check.report, 'worker01'));
    expect(node(`sha256sum ${installed}`)).to.equal(sums);
    expect(node('systemctl is-active containerd')).to.equal('active\n');
    expect(node('ctr version')).to.match(/Server:/);

    const again = run();
    expect(again.report.summary.worker01).to.deep.include({ changed: 0, failed: 0 });
  });

  it('an in-place edit keeping size and mtime passes the quick check; --verify-content finds and repairs it', () => {
    // Same size, same inode, mtime put back to the nanosecond: only the content tells.
    node('f=/usr/local/sbin/runc; t=$(stat -c %.9Y $f); printf XXXX | dd of=$f bs=1 seek=100 conv=notrunc status=none; touch -m -d "@$t" $f');
    expect(node(`sha256sum ${installed}`)).to.not.equal(sums);
    const quick = run();
    expect(quick.report.summary.worker01).to.deep.include({ changed: 0, failed: 0 });
    const deep = run('--verify-content');
    expect(deep.code, deep.stdout + deep.stderr).to.equal(0);
    expect(changedTasks(deep.report, 'worker01')).to.deep.equal(['install-runc: Install the runc binary']);
    expect(node(`sha256sum ${installed}`)).to.equal(sums);
  });
});
