import { expect } from 'chai';
import { wavesOf, windowWidth } from '../../../src/rollout/waves.js';
import { budgetExceeded } from '../../../src/rollout/budget.js';
import { restartsFor } from '../../../src/rollout/restore.js';
import { loadedRuntimes, shimBinary } from '../../../src/checks/containerd-runtimes.js';
import { verificationFor } from '../../../src/rollout/verification.js';
import { prepareHost } from '../../helpers/roles.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const sizes = (b: string[][]) => b.map((x) => x.length);

describe('rollout: waves as Ansible serial', () => {
  const table: [unknown, number, number[]][] = [
    [undefined, 5, [5]],
    [1, 3, [1, 1, 1]],
    [2, 5, [2, 2, 1]],
    ['2', 5, [2, 2, 1]],
    ['30%', 10, [3, 3, 3, 1]],
    ['10%', 5, [1, 1, 1, 1, 1]],
    [[1, 2, '50%'], 10, [1, 2, 5, 2]],
    [['1', '3'], 8, [1, 3, 3, 1]],
    [100, 3, [3]],
  ];
  for (const [serial, n, expected] of table) {
    it(`serial ${JSON.stringify(serial)} over ${n} hosts -> ${expected.join(',')}`, () => {
      const waves = wavesOf(hosts(n), serial as never);
      expect(sizes(waves)).to.deep.equal(expected);
      expect(waves.flat()).to.deep.equal(hosts(n));
    });
  }

  it('refuses a serial that is no size', () => {
    for (const bad of [0, '-1', 'abc', '0%x', []]) expect(() => wavesOf(hosts(3), bad as never), JSON.stringify(bad)).to.throw(/serial/);
  });

  it('a window is as wide as one serial value, a number or a percentage; unset: every host', () => {
    expect(windowWidth(10, 2)).to.equal(2);
    expect(windowWidth(10, '30%')).to.equal(3);
    expect(windowWidth(10, ['5'])).to.equal(5);
    expect(windowWidth(4, undefined)).to.equal(4);
    expect(() => windowWidth(10, [1, 2])).to.throw(/window takes one provision_serial/);
    expect(() => windowWidth(10, 0)).to.throw(/serial/);
  });

  // [failed, selected, max_fail_percentage, max_fail, spent]
  const budget: [number, number, number | undefined, number | undefined, boolean][] = [
    [0, 3, 0, undefined, false],
    [1, 3, 0, undefined, true],
    [1, 3, 34, undefined, false],
    [2, 3, 34, undefined, true],
    [1, 4, 25, undefined, false],
    [2, 2, undefined, undefined, false],
    [1, 10, undefined, 0, true],
    [2, 10, undefined, 2, false],
    [3, 10, 50, 2, true],
    [3, 10, 20, 5, true],
  ];
  for (const [failed, selected, pct, max, spent] of budget) {
    it(`${failed} of ${selected} failed with max_fail_percentage ${pct}, max_fail ${max}: ${spent ? 'spent' : 'holds'}`, () => {
      const why = budgetExceeded({ selected, maxFailPercentage: pct, maxFail: max }, failed);
      expect(why !== undefined).to.equal(spent);
      if (why) expect(why).to.include(`${failed} of ${selected} hosts failed or unreachable`);
    });
  }
});

describe('rollout: verification and restore, pure parts', () => {
  it('names the shim containerd runs for a runtime_type', () => {
    expect(shimBinary('io.containerd.runc.v2')).to.equal('containerd-shim-runc-v2');
    expect(shimBinary('io.containerd.runsc.v1')).to.equal('containerd-shim-runsc-v1');
    expect(shimBinary('io.containerd.kata.v2')).to.equal('containerd-shim-kata-v2');
  });

  it('reads loaded handlers from a version 2 and a version 3 config dump', () => {
    expect(
      loadedRuntimes('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n'),
    ).to.deep.equal({ runc: 'io.containerd.runc.v2' });
    expect(
      loadedRuntimes("version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.kata]\nruntime_type = 'io.containerd.kata.v2'\n"),
    ).to.deep.equal({ kata: 'io.containerd.kata.v2' });
    expect(loadedRuntimes('not toml [')).to.equal(undefined);
  });

  it("judges a host by its roles' verify checks: failures fail it, a missing shim only warns", () => {
    const plan = prepareHost({ containerd_runtimes: ['runc', 'runsc'] }, ['docker', 'containerd', 'kubelet']);
    const v = verificationFor(plan)!;
    const keys = v.facts.map((f) => f.key);
    const key = (pattern: RegExp) => {
      const found = keys.filter((k) => pattern.test(k));
      expect(found, String(pattern)).to.have.length(1);
      return found[0]!;
    };
    const values = new Map<string, unknown>([
      [key(/^unit:containerd$/), { activeState: 'active' }],
      [key(/^check:command:.*ctr.* version/), { code: 0, out: 'Client:\n  Version: 1.7\nServer:\n  Version: 1.7\n' }],
      [
        key(/^check:dump:/),
        {
          code: 0,
          out: 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]\nruntime_type = "io.containerd.runsc.v1"\n',
        },
      ],
      [key(/^check:shims:/), { code: 0, out: 'containerd-shim-runc-v2\n/usr/local/sbin/runc\n' }],
      [key(/^unit:kubelet$/), { activeState: 'active' }],
      [key(/^unit:docker.service$/), { activeState: 'inactive' }],
      [key(/^check:absent:/), { code: 0, out: '' }],
    ]);
    expect(keys.sort()).to.deep.equal([...values.keys()].sort());
    expect(v.judge(values)).to.deep.equal({
      failures: [],
      warnings: ['runtime handler "runsc" needs containerd-shim-runsc-v1, which is not on the node: pods with RuntimeClass gvisor will fail to start'],
    });
    values.set(key(/^check:absent:/), { code: 0, out: '/usr/local/sbin/dockerd\n/usr/local/sbin/dockerd\n' });
    values.set(key(/^unit:kubelet$/), { activeState: 'failed' });
    values.set(key(/^check:dump:/), { code: 0, out: 'version = 2\n' });
    values.set(key(/^check:command:/), { code: 1, out: 'ctr: failed to dial "/run/containerd/containerd.sock": connection refused\n' });
    expect(v.judge(values).failures).to.deep.equal([
      'Docker is still installed: /usr/local/sbin/dockerd',
      'containerd does not answer on /run/containerd/containerd.sock: exit 1: ctr: failed to dial "/run/containerd/containerd.sock": connection refused',
      'runtime handler "runc" is not in containerd\'s loaded config',
      'runtime handler "runsc" is not in containerd\'s loaded config',
      'kubelet is failed',
    ]);
  });

  it('verifies only what the roles that ran promise', () => {
    const v = verificationFor(prepareHost({}, ['runc']));
    expect(v).to.equal(undefined);
    expect(verificationFor(prepareHost({}, ['kubelet']))!.facts.map((f) => f.key)).to.deep.equal(['unit:kubelet']);
  });

  it('restarts what restored files belong to: the handlers their tasks notify', () => {
    const roles = prepareHost({}, ['docker', 'runc', 'containerd', 'kubelet']).roles;
    const names = (paths: string[]) => restartsFor(paths, roles).tasks.map((t) => t.name);
    expect(names(['/etc/containerd/config.toml'])).to.deep.equal(['restart containerd']);
    expect(names(['/etc/systemd/system/kubelet.service', '/usr/local/bin/ctr'])).to.deep.equal(['reload systemd', 'restart containerd', 'restart kubelet']);
    expect(names(['/usr/local/sbin/runc'])).to.deep.equal([]);
  });
});
