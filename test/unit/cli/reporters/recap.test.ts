import { expect } from 'chai';
import { emptyStats, type TaskResult } from '../../../../src/core/events.js';
import { formatOutcome } from '../../../../src/cli/reporters/outcome.js';
import { formatRecap } from '../../../../src/cli/reporters/recap.js';
import { formatGroup, groupByMessage } from '../../../../src/cli/reporters/group-by-message.js';
import { hostRanges } from '../../../../src/cli/reporters/host-ranges.js';

const stats = (over = {}) => ({ ...emptyStats(), ok: 10, changed: 26, ...over });
const task = (host: string, over: Partial<TaskResult>): TaskResult => ({
  host,
  role: 'install-containerd',
  task: 'write config',
  handler: false,
  status: 'ok',
  changes: [],
  ...over,
});

describe('recap and outcome', () => {
  it('is one line per host up to 20 hosts, as Ansible prints it', () => {
    expect(formatRecap({ w1: stats(), w2: stats({ failed: 1 }) }, ['w3'])).to.equal(
      `PLAY RECAP ${'*'.repeat(60)}\nw1 : ok=10 changed=26 unreachable=0 failed=0 skipped=0\nw2 : ok=10 changed=26 unreachable=0 failed=1 skipped=0\nw3 : not started\n`,
    );
  });

  it('groups hosts with identical counts past 20 hosts', () => {
    const all: Record<string, ReturnType<typeof stats>> = {};
    for (let i = 0; i < 500; i++) all[`node${String(i).padStart(3, '0')}`] = stats(i === 7 ? { failed: 1 } : {});
    const lines = formatRecap(all).trim().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[1]).to.match(/^node000\.\.006, node008\.\.499 \(499 hosts\) : ok=10 changed=26 .*failed=0/);
    expect(lines[2]).to.match(/^node007 +: ok=10 changed=26 unreachable=0 failed=1/);
  });

  it('prints identical failures once with their hosts, and identical change sets once', () => {
    const tasks = [
      ...['worker01', 'worker02', 'worker03'].map((h) =>
        task(h, { status: 'failed', error: `line 1\nline 2\n${'x\n'.repeat(10)}containerd: invalid config on ${h}` }),
      ),
      ...['worker04', 'worker05', 'worker06'].flatMap((h) => [
        task(h, { status: 'changed', changes: ['write /etc/containerd/config.toml', 'restart containerd'] }),
        task(h, { task: 'install runc', status: 'changed', changes: ['download runc'] }),
      ]),
      task('worker07', { status: 'changed', changes: ['write /etc/containerd/config.toml'] }),
    ];
    const out = formatOutcome(tasks, [{ host: 'worker08', error: 'cannot connect' }]);
    expect(out).to.equal(
      [
        'FAILED TASKS',
        '3 hosts: install-containerd > write config: ...',
        ...Array(5).fill('    x'),
        '    containerd: invalid config on <host> (worker01, worker02, worker03)',
        'UNREACHABLE',
        'worker08: cannot connect',
        'CHANGES',
        '3 changes, the same on worker04..06:',
        '  install-containerd > write config: write /etc/containerd/config.toml',
        '  install-containerd > write config: restart containerd',
        '  install-containerd > install runc: download runc',
        '1 change, the same on worker07:',
        '  install-containerd > write config: write /etc/containerd/config.toml',
        '',
      ].join('\n'),
    );
  });

  it('beyond a screenful, points to the report', () => {
    const tasks = Array.from({ length: 50 }, (_, i) => task(`h${i}`, { status: 'changed', changes: [`change ${i}`] }));
    const out = formatOutcome(tasks, [], { rows: 20, report: 'run.json' }).trim().split('\n');
    expect(out).to.have.length(20);
    expect(out[19]).to.equal('... 82 more lines: the full report is in run.json');
  });

  it('groups one error shared by 10,000 hosts into one message', () => {
    const hosts = Array.from({ length: 10_000 }, (_, i) => `node${String(i).padStart(5, '0')}`);
    const groups = groupByMessage(hosts.map((h) => ({ host: h, message: `host ${h} has no roles: set provision_roles` })));
    expect(groups.map(formatGroup)).to.deep.equal(['10000 hosts: host has no roles: set provision_roles (node00000, node00001, node00002, ... and 9997 more)']);
  });

  it('writes numbered host runs as ranges', () => {
    expect(hostRanges(['w01', 'w02', 'w03', 'db', 'w05', 'w9', 'w10'])).to.equal('w01..03, db, w05, w9, w10');
  });
});
