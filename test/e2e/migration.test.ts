import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { Fact } from '../../src/facts/fact.js';
import { probeScript } from '../../src/facts/probe-script.js';
import { unitFact } from '../../src/facts/unit-state.js';
import { Fleet, testFleetDir, requireFleet } from '../fleet/fleet.js';
import { freeListenPort } from '../fleet/ports.js';
import { changedTasks, nodeSnapshot, provision, serviceStates, type Report } from '../helpers/fleet-run.js';

/**
 * The whole migration on real systemd nodes (systemd-nspawn) over real SSH. kubelet is a
 * STAND-IN on these nodes (no Debian package ships kubelet; see test/fleet/image/kubelet-standin.py):
 * it refuses flags its version removed and runs only against a live runtime socket.
 */
describe('end to end: Docker-era workers migrated to containerd on a real fleet', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-e2e-'));
  const report = (name: string) => join(out, `${name}.json`);
  let checkReport: Report;

  before(async function () {
    requireFleet(this, 'end-to-end tests');
    fleet = await Fleet.up(await testFleetDir('migration'), [
      { name: 'worker01', kubeletVersion: '1.23' },
      { name: 'worker02', kubeletVersion: '1.23' },
      { name: 'worker03', kubeletVersion: '1.27' },
    ]);
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('the nodes start Docker-era: Docker running, kubelet (stand-in) on dockershim', () => {
    const status = JSON.parse(fleet.ssh('worker01', 'cat /run/kubelet-standin/status.json').stdout);
    expect(status).to.deep.include({ runtime: 'docker', endpoint: 'unix:///var/run/docker.sock' });
    expect(serviceStates(fleet, 'worker01')).to.match(/^docker active enabled$/m);
    // worker03's kubelet is 1.27 with a Docker-era unit: it crash-loops on removed flags, as the real one would.
    expect(fleet.ssh('worker03', 'journalctl -u kubelet --no-pager -o cat').stdout).to.match(/unknown flag: --container-runtime/);
  });

  it("units asked in one systemctl show answer as each asked alone, on the node's real systemd (a name systemd refuses included)", () => {
    const units = ['docker.service', 'docker', 'docker.socket', 'kubelet', 'containerd', 'nothere.service', 'bad@', 'ssh'];
    const gather = (facts: Fact<unknown>[]) => {
      const probes = probeScript(facts);
      return probes.parse(fleet.ssh('worker02', `echo ${Buffer.from(probes.script).toString('base64')} | base64 -d | sh`).stdout);
    };
    const grouped = gather(units.map(unitFact));
    const alone = gather(units.map((u) => ({ ...unitFact(u), group: undefined })));
    for (const u of units) expect(grouped.get(`unit:${u}`), u).to.deep.equal(alone.get(`unit:${u}`));
    expect(grouped.get('unit:docker')).to.deep.include({ loadState: 'loaded', activeState: 'active', unitFileState: 'enabled' });
    expect(grouped.get('unit:nothere.service')).to.deep.include({ loadState: 'not-found' });
  });

  it('--check on an unmigrated node reports the changes and leaves it byte for byte as it was', () => {
    const before = nodeSnapshot(fleet, 'worker01');
    const services = serviceStates(fleet, 'worker01');
    const r = provision(fleet, ['--limit', 'worker01', '--check'], report('check'));
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.report.summary.worker01!.changed).to.be.greaterThan(20);
    expect(r.stdout).to.include('check mode: nothing was changed');
    expect(r.report.tasks.find((t) => t.task.startsWith('Remove the Docker packages'))!.changes).to.deep.equal(['remove docker.io (keeping containerd, runc)']);
    expect(nodeSnapshot(fleet, 'worker01')).to.deep.equal(before);
    expect(serviceStates(fleet, 'worker01')).to.equal(services);
    checkReport = r.report;
  });

  it('migrates worker01 with all five roles; worker02 and worker03 are untouched', () => {
    const others = ['worker02', 'worker03'].map((n) => [nodeSnapshot(fleet, n), serviceStates(fleet, n)]);
    const r = provision(fleet, ['--limit', 'worker01'], report('apply'));
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(Object.keys(r.report.summary)).to.deep.equal(['worker01']);
    // --check reported exactly the tasks that the apply then changed.
    expect(changedTasks(r.report, 'worker01')).to.deep.equal(changedTasks(checkReport, 'worker01'));

    const node = (cmd: string) => fleet.ssh('worker01', cmd).stdout;
    // Docker is gone: binaries, units, group, socket.
    expect(node('for p in /usr/bin/docker /usr/sbin/dockerd /run/docker.sock /etc/docker; do [ -e $p ] && echo $p; done; true')).to.equal('');
    expect(node('systemctl show docker.service -p LoadState --value')).to.match(/not-found|masked/);
    expect(fleet.ssh('worker01', 'getent group docker', { allowFail: true }).code).to.equal(2);
    // containerd runs from the installed release, with the rendered config, and answers.
    expect(node('systemctl is-active containerd')).to.equal('active\n');
    expect(node('readlink /proc/$(systemctl show containerd -p ExecMainPID --value)/exe')).to.equal('/usr/local/bin/containerd\n');
    // biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key, its shape is the test's subject
    const config = parseToml(node('cat /etc/containerd/config.toml')) as Record<string, any>;
    expect(config.plugins['io.containerd.grpc.v1.cri'].containerd.runtimes.runc.options).to.deep.equal({
      SystemdCgroup: true,
      BinaryName: '/usr/local/sbin/runc',
    });
    expect(node('ctr version')).to.match(/Server:\n\s+Version:\s+\S+/);
    // runc and the CNI plugins are in place.
    expect(node('/usr/local/sbin/runc --version')).to.match(/^runc version/);
    expect(node('ls /opt/cni/bin')).to.include('loopback').and.include('bridge');
    expect(node('cat /etc/cni/net.d/99-loopback.conf')).to.include('"type": "loopback"');
    // kubelet (stand-in) runs against containerd's socket, with no Docker-era flag.
    expect(node('systemctl is-active kubelet')).to.equal('active\n');
    const status = JSON.parse(node('cat /run/kubelet-standin/status.json'));
    expect(status).to.deep.include({ runtime: 'remote', endpoint: 'unix:///run/containerd/containerd.sock', cgroupDriver: 'systemd' });
    expect(Object.keys(status.flags)).to.not.include.members(['network-plugin', 'cni-bin-dir', 'image-pull-progress-deadline']);

    ['worker02', 'worker03'].forEach((n, i) => {
      expect(nodeSnapshot(fleet, n), `${n} files`).to.deep.equal(others[i]![0]);
      expect(serviceStates(fleet, n), `${n} services`).to.equal(others[i]![1]);
    });
  });

  it('a second run changes nothing and is verified in one SSH session (its gather); --check then reports 0 changes', () => {
    const r = provision(fleet, ['--limit', 'worker01'], report('again'));
    expect(r.code).to.equal(0);
    expect(r.report.summary.worker01).to.deep.include({ changed: 0, failed: 0 });
    expect(r.report.roundTrips.worker01).to.equal(1);
    expect(r.report.tasks.find((t) => t.task === 'verify node')).to.deep.include({ status: 'ok' });
    const check = provision(fleet, ['--limit', 'worker01', '--check'], report('check-converged'));
    expect(check.report.summary.worker01).to.deep.include({ changed: 0, failed: 0 });
  });

  it('removing Docker kept containerd and runc installed, and /var/lib/docker', () => {
    const pkgs = fleet.ssh('worker01', "dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' containerd runc docker.io").stdout;
    expect(pkgs)
      .to.match(/^containerd ii/m)
      .and.match(/^runc ii/m)
      .and.match(/^docker\.io rc/m);
    expect(fleet.ssh('worker01', 'apt-mark showmanual containerd runc').stdout).to.equal('containerd\nrunc\n');
    expect(fleet.ssh('worker01', 'test -d /var/lib/docker && echo kept').stdout).to.equal('kept\n');
  });

  it('keeps what it replaced under /var/backups/provision/<run-id>/', () => {
    const backups = fleet.ssh('worker01', 'ls /var/backups/provision/').stdout.trim().split('\n');
    const run = backups.find(
      (b) => fleet.ssh('worker01', `test -f /var/backups/provision/${b}/etc/systemd/system/kubelet.service && echo y`, { allowFail: true }).stdout === 'y\n',
    );
    expect(run, backups.join(',')).to.be.a('string');
    expect(fleet.ssh('worker01', `cat /var/backups/provision/${run}/etc/systemd/system/kubelet.service`).stdout).to.include('--container-runtime=docker');
  });

  it('--role containerd alone on a fresh node does what that role promises and nothing else', () => {
    const kubeletUnit = fleet.ssh('worker02', 'sha256sum /etc/systemd/system/kubelet.service').stdout;
    // Docker stays, holding the sandbox image, which nothing hands over: a pod on containerd could not start offline,
    // so the pod check is left out here (test/e2e/pod-check.test.ts proves it).
    const r = provision(fleet, ['--limit', 'worker02', '--role', 'containerd', '-e', 'provision_pod_check=never'], report('containerd-only'));
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    // Only install-containerd ran, then the verification of what it promises.
    expect(new Set(r.report.tasks.map((t) => t.role))).to.deep.equal(new Set(['install-containerd', 'rollout']));
    expect(r.report.tasks.filter((t) => t.role === 'rollout').map((t) => [t.task, t.status])).to.deep.equal([['verify node', 'ok']]);
    expect(fleet.ssh('worker02', 'readlink /proc/$(systemctl show containerd -p ExecMainPID --value)/exe').stdout).to.equal('/usr/local/bin/containerd\n');
    expect(fleet.ssh('worker02', 'ctr version').stdout).to.match(/Server:/);
    // install-runc did not run: the runc handler names Debian's runc, which stays, not /usr/local/sbin/runc.
    expect(fleet.ssh('worker02', 'grep BinaryName /etc/containerd/config.toml').stdout).to.match(/BinaryName = "\/usr\/sbin\/runc"/);
    // No other role ran: Docker is still installed, runc and CNI are not, kubelet's unit is as it was.
    expect(fleet.ssh('worker02', "dpkg-query -W -f='${db:Status-Abbrev}' docker.io").stdout).to.match(/^ii/);
    expect(
      fleet.ssh('worker02', 'for p in /usr/local/sbin/runc /opt/cni/bin /etc/cni/net.d/99-loopback.conf; do [ -e $p ] && echo $p; done; true').stdout,
    ).to.equal('');
    expect(fleet.ssh('worker02', 'sha256sum /etc/systemd/system/kubelet.service').stdout).to.equal(kubeletUnit);
  });

  it('a node at Kubernetes 1.27 ends with no removed flags and the endpoint in its config file', () => {
    const r = provision(fleet, ['--limit', 'worker03'], report('k127'));
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const unit = fleet.ssh('worker03', 'cat /etc/systemd/system/kubelet.service').stdout;
    expect(unit).not.to.match(/--container-runtime|--network-plugin|--cni-|--image-pull-progress-deadline|--pod-infra-container-image/);
    expect(fleet.ssh('worker03', 'cat /var/lib/kubelet/kubelet-config.yaml').stdout).to.match(
      /^containerRuntimeEndpoint: unix:\/\/\/run\/containerd\/containerd\.sock$/m,
    );
    expect(fleet.ssh('worker03', 'systemctl is-active kubelet').stdout).to.equal('active\n');
    const status = JSON.parse(fleet.ssh('worker03', 'cat /run/kubelet-standin/status.json').stdout);
    expect(status).to.deep.include({ version: '1.27', endpoint: 'unix:///run/containerd/containerd.sock' });
    expect(status.flags).to.deep.equal({ config: '/var/lib/kubelet/kubelet-config.yaml', kubeconfig: '/var/lib/kubelet/kubeconfig' });
  });

  it('an unreachable host is reported as unreachable, exit code 4, while the others complete', async () => {
    const port = await freeListenPort();
    const inventory = join(out, 'with-ghost.ini');
    writeFileSync(
      inventory,
      readFileSync(fleet.inventoryFile, 'utf8').replace(
        '[k8s_worker]\n',
        `[k8s_worker]\nghost ansible_host=127.0.0.1 ansible_port=${port} kubernetes_version="'1.23'"\n`,
      ),
    );
    const r = provision(fleet, ['--limit', 'ghost,worker01', '--connect-timeout', '5'], report('ghost'), inventory);
    expect(r.code).to.equal(4);
    expect(r.report.summary.ghost).to.deep.include({ unreachable: 1 });
    expect(r.report.summary.worker01).to.deep.include({ failed: 0, unreachable: 0 });
    expect(r.report.summary.worker01!.ok).to.be.greaterThan(20);
    expect(r.stdout).to.match(/^ghost\s+: ok=0 changed=0 unreachable=1 failed=0 skipped=0$/m);
    expect(r.stdout).to.match(/UNREACHABLE: ghost: cannot connect to ghost \(127\.0\.0\.1:\d+\): .*ECONNREFUSED/);
  });
});

describe('end to end: become through sudo with a password, on a real node', function () {
  this.timeout(300_000);
  let fleet: Fleet;

  before(async function () {
    requireFleet(this, 'end-to-end tests');
    fleet = await Fleet.up(await testFleetDir('become'), [{ name: 'worker01' }]);
    // A user whose sudo asks for a password (Debian's %sudo rule), reachable with the fleet's key.
    fleet.ssh(
      'worker01',
      'useradd -m -s /bin/sh -G sudo ops && echo "ops:s3cret pass" | chpasswd && mkdir -p ~ops/.ssh && cp /root/.ssh/authorized_keys ~ops/.ssh/ && chown -R ops: ~ops/.ssh',
    );
  });

  after(async () => {
    await fleet?.destroy();
  });

  const connect = async (password?: string) => {
    const { SshTransport } = await import('../../src/transport/ssh-transport.js');
    const n = fleet.node('worker01');
    return SshTransport.connect(
      'worker01',
      {
        type: 'ssh',
        address: '127.0.0.1',
        port: n.port,
        user: 'ops',
        privateKeyFile: fleet.keyFile,
        become: true,
        becomeUser: 'root',
        ...(password === undefined ? {} : { becomePassword: password }),
      },
      { knownHostsFile: fleet.knownHostsFile },
    );
  };

  it('runs as root with the password on stdin, and never shows it', async () => {
    const t = await connect('s3cret pass');
    try {
      const r = await t.run('id -un; ps -eo args');
      expect(r.stdout.split('\n')[0]).to.equal('root');
      expect(r.stdout + r.stderr).not.to.include('s3cret');
      // The probe and the script: two round trips.
      expect(t.runs).to.equal(2);
    } finally {
      await t.close();
    }
  });

  it('says so when the password is wrong or missing, running nothing', async () => {
    const wrong = await connect('nope');
    try {
      const e = await wrong.run('touch /tmp/ran-with-wrong-password').then(
        () => undefined,
        (x: Error) => x,
      );
      expect(e?.message).to.equal('sudo on worker01 refused the become password');
    } finally {
      await wrong.close();
    }
    expect(fleet.ssh('worker01', 'test -e /tmp/ran-with-wrong-password && echo ran || echo no').stdout).to.equal('no\n');
    const none = await connect();
    try {
      const e = await none.run('true').then(
        () => undefined,
        (x: Error) => x,
      );
      expect(e?.message).to.match(/^sudo on worker01 needs a password: set ansible_become_password, PROVISION_BECOME_PASSWORD or use --ask-become-pass$/);
    } finally {
      await none.close();
    }
  });
});
