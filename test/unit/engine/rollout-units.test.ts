import { expect } from 'chai';
import { batchAborts, batchesOf } from '../../../src/engine/batches.js';
import { restartsFor } from '../../../src/engine/restore.js';
import { loadedRuntimes, shimBinary, verificationFor } from '../../../src/engine/verify.js';
import { prepareHost } from '../../helpers/roles.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const sizes = (b: string[][]) => b.map((x) => x.length);

describe('rollout: batches as Ansible serial', () => {
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
      const batches = batchesOf(hosts(n), serial as never);
      expect(sizes(batches)).to.deep.equal(expected);
      expect(batches.flat()).to.deep.equal(hosts(n));
    });
  }

  it('refuses a serial that is no size', () => {
    for (const bad of [0, '-1', 'abc', '0%x', []]) expect(() => batchesOf(hosts(3), bad as never), JSON.stringify(bad)).to.throw(/serial/);
  });

  const budget: [number, number, number | undefined, boolean][] = [
    [0, 3, 0, false],
    [1, 3, 0, true],
    [1, 3, 34, false],
    [2, 3, 34, true],
    [1, 4, 25, false],
    [2, 2, undefined, true],
    [1, 2, undefined, false],
  ];
  for (const [failed, size, pct, aborts] of budget) {
    it(`${failed}/${size} failed with max_fail_percentage ${pct} ${aborts ? 'stops' : 'goes on'}`, () => {
      expect(batchAborts(failed, size, pct)).to.equal(aborts);
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
    expect(loadedRuntimes('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n')).to.deep.equal({ runc: 'io.containerd.runc.v2' });
    expect(loadedRuntimes("version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.kata]\nruntime_type = 'io.containerd.kata.v2'\n")).to.deep.equal({ kata: 'io.containerd.kata.v2' });
    expect(loadedRuntimes('not toml [')).to.equal(undefined);
  });

  it('judges a host from its facts: failures fail it, a missing shim only warns', () => {
    const plan = prepareHost({ containerd_runtimes: ['runc', 'runsc'] }, ['docker', 'containerd', 'kubelet']);
    const v = verificationFor(plan)!;
    const values = new Map<string, unknown>([
      ['unit:containerd', { activeState: 'active' }],
      ['verify:ctr', { code: 0, out: 'Client:\n  Version: 1.7\nServer:\n  Version: 1.7\n' }],
      ['verify:dump', { code: 0, out: 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\nruntime_type = "io.containerd.runc.v2"\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]\nruntime_type = "io.containerd.runsc.v1"\n' }],
      ['verify:shims', { code: 0, out: 'containerd-shim-runc-v2\n' }],
      ['unit:kubelet', { activeState: 'active' }],
      ['unit:docker.service', { activeState: 'inactive' }],
      ['verify:docker-binaries', { code: 0, out: '' }],
    ]);
    expect(v.facts.map((f) => f.key).sort()).to.deep.equal([...values.keys()].sort());
    expect(v.judge(values)).to.deep.equal({
      failures: [],
      warnings: ['runtime handler "runsc" needs containerd-shim-runsc-v1, which is not on the node: pods with RuntimeClass gvisor will fail to start'],
    });
    values.set('verify:docker-binaries', { code: 0, out: '/usr/local/sbin/dockerd\n' });
    values.set('unit:kubelet', { activeState: 'failed' });
    values.set('verify:dump', { code: 0, out: 'version = 2\n' });
    expect(v.judge(values).failures).to.deep.equal([
      'runtime handler "runc" is not in containerd\'s loaded config',
      'runtime handler "runsc" is not in containerd\'s loaded config',
      'kubelet is failed',
      'Docker is still installed: /usr/local/sbin/dockerd',
    ]);
  });

  it('verifies only what the roles that ran promise', () => {
    const v = verificationFor(prepareHost({}, ['runc']));
    expect(v).to.equal(undefined);
    expect(verificationFor(prepareHost({}, ['kubelet']))!.facts.map((f) => f.key)).to.deep.equal(['unit:kubelet']);
  });

  it('restarts what restored files belong to', () => {
    const vars = prepareHost({}, ['containerd']).vars;
    expect(restartsFor(['/etc/containerd/config.toml'], vars).map((r) => r.name)).to.deep.equal(['restart containerd']);
    expect(restartsFor(['/etc/systemd/system/kubelet.service', '/usr/local/bin/ctr'], vars).map((r) => r.name)).to.deep.equal(['reload systemd', 'restart containerd', 'restart kubelet']);
    expect(restartsFor(['/usr/local/sbin/runc'], vars)).to.deep.equal([]);
  });
});
