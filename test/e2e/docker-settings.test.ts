import { expect } from 'chai';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { freeListenPort } from '../fleet/ports.js';
import { runCli } from '../helpers/cli.js';
import { changedTasks, nodeSnapshot, type Report } from '../helpers/fleet-run.js';

const REGISTRY_BIN = '/usr/bin/docker-registry';

/**
 * Docker's settings and images carried into containerd, on a real node: daemon.json (a mirror, an
 * insecure registry, log options, the cgroup driver), certs.d/<registry>/ca.crt and local images are
 * planted, the node is migrated, and containerd must end with the same registry settings and the
 * images, pulling through its hosts from a REAL registry (Debian's docker-registry, distribution 2.8)
 * served on loopback. STAND-INS: kubelet on the node (no Debian package), and kubectl on the
 * controller: it answers `get daemonsets` and `get pods` from files, and `get node` with the runtime
 * the kubelet stand-in runs against (read from the node over SSH), as the API server would report it.
 */
describe("end to end: Docker's registry settings, log options and images carried into containerd", function () {
  this.timeout(900_000);
  let fleet: Fleet;
  let registry: ChildProcess | undefined;
  let port = 0;
  const out = mkdtempSync(join(tmpdir(), 'provision-carry-'));
  const bin = join(out, 'bin');
  const node = 'dw01';
  const sh = (cmd: string) => fleet.ssh(node, cmd, { allowFail: true });
  const reg = () => `registry.test:${port}`;
  let checkReport: Report;
  let planted: { ca: string };

  const cli = (args: string[], name: string, extra: Record<string, unknown> = {}) => {
    const file = join(out, `${name}.json`);
    const vars = {
      provision_drain: true,
      provision_allow_docker_socket_pods: true,
      provision_verify_pull: true,
      provision_verify_pull_image: `${reg()}/team/pause:1.0`,
      ...extra,
    };
    const preflight = args[0] === 'preflight';
    const target = ['-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '-e', JSON.stringify(vars)];
    const r = runCli(preflight ? ['preflight', ...target, ...args.slice(1)] : [...target, '--report', file, ...args], {
      env: { PATH: `${bin}:${process.env.PATH}`, KUBECTL_DIR: out, KUBECTL_SSH: sshCommand() },
      timeoutMs: 600_000,
    });
    return { ...r, report: preflight ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as Report) };
  };
  const sshCommand = () => `ssh -i ${fleet.keyFile} -o UserKnownHostsFile=${fleet.knownHostsFile} -o BatchMode=yes -p ${fleet.node(node).port} root@127.0.0.1`;

  before(async function () {
    requireFleet(this, 'end-to-end tests');
    if (spawnSync('sh', ['-c', `[ -x ${REGISTRY_BIN} ]`]).status !== 0) {
      if (process.env.CI) throw new Error('docker-registry is missing under CI: .ci/run must install the Debian package docker-registry');
      console.warn('\n      SKIPPED registry carry-over: apt-get install docker-registry\n');
      this.skip();
    }
    // A real registry on loopback (the nodes share the host's network), plain HTTP as insecure registries often are.
    port = await freeListenPort();
    writeFileSync(
      join(out, 'registry.yml'),
      `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(out, 'registry')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    registry = spawn(REGISTRY_BIN, ['serve', join(out, 'registry.yml')], { stdio: 'ignore' });

    mkdirSync(bin);
    writeFileSync(
      join(bin, 'kubectl'),
      [
        '#!/bin/sh',
        '# kubectl STAND-IN for tests: records its calls; daemonsets and pods from files; the node runtime read from the node.',
        'echo "$*" >> "$KUBECTL_DIR/kubectl.log"',
        '[ "$1 $2" = "get daemonsets" ] && { cat "$KUBECTL_DIR/daemonsets.json"; exit 0; }',
        '[ "$1 $2" = "get pods" ] && { cat "$KUBECTL_DIR/pods.json"; exit 0; }',
        '[ "$1 $2" = "get node" ] && exec $KUBECTL_SSH \'if grep -q containerd.sock /run/kubelet-standin/status.json; then printf "containerd://%s" "$(ctr version | sed -n "/Server/,\\$ s/^ *Version: *//p" | head -n1)"; else printf docker://20.10; fi\'',
        'exit 0',
      ].join('\n'),
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    const ds = (name: string, image: string) => ({ metadata: { namespace: 'logging', name }, spec: { template: { spec: { containers: [{ image }] } } } });
    writeFileSync(
      join(out, 'daemonsets.json'),
      JSON.stringify({ items: [ds('fluent-bit', 'cr.fluentbit.io/fluent/fluent-bit:3.0'), ds('node-exporter', 'prom/node-exporter:1')] }),
    );
    writeFileSync(
      join(out, 'pods.json'),
      JSON.stringify({ items: [{ metadata: { namespace: 'ci', name: 'dind-agent' }, spec: { volumes: [{ hostPath: { path: '/var/run/docker.sock' } }] } }] }),
    );

    fleet = await Fleet.up(await testFleetDir('docker-settings'), [{ name: node, kubeletVersion: '1.23' }]);
    const daemon = {
      bridge: 'none',
      iptables: false,
      'ip-masq': false,
      ip6tables: false,
      'ip-forward': false,
      'registry-mirrors': ['https://mirror.invalid:5000'],
      'insecure-registries': [reg()],
      'exec-opts': ['native.cgroupdriver=systemd'],
      'log-driver': 'json-file',
      'log-opts': { 'max-size': '10m', 'max-file': '3' },
    };
    const plant = fleet.ssh(
      node,
      [
        'set -e',
        'echo "127.0.0.1 registry.test" >> /etc/hosts',
        `cat > /etc/docker/daemon.json <<'EOF'\n${JSON.stringify(daemon, null, 2)}\nEOF`,
        `d=/etc/docker/certs.d/${reg()}; mkdir -p "$d"`,
        'openssl req -x509 -newkey rsa:2048 -nodes -keyout /root/ca.key -out "$d/ca.crt" -days 2 -subj /CN=provision-test-ca 2>/dev/null',
        'systemctl restart docker',
        // Tiny images made on the node: a rootfs of one file, imported (no network, no base image).
        `mkdir -p /tmp/rootfs && echo app > /tmp/rootfs/app.txt && tar -C /tmp/rootfs -c . | docker import - ${reg()}/team/app:1.0 >/dev/null`,
        'echo unused > /tmp/rootfs/unused.txt && tar -C /tmp/rootfs -c . | docker import - local/unused:2.0 >/dev/null',
        `docker create --name k8s_app_web-0_default ${reg()}/team/app:1.0 /app >/dev/null`,
        // Pushed through the insecure registry, then dropped locally: only a pull through containerd's hosts brings it back.
        `echo pause > /tmp/rootfs/pause.txt && tar -C /tmp/rootfs -c . | docker import - ${reg()}/team/pause:1.0 >/dev/null`,
        `docker push ${reg()}/team/app:1.0 >/dev/null && docker push ${reg()}/team/pause:1.0 >/dev/null && docker rmi ${reg()}/team/pause:1.0 >/dev/null`,
        `sha256sum < "$d/ca.crt"`,
      ].join('\n'),
    );
    planted = { ca: plant.stdout.trim() };
  });

  after(async () => {
    registry?.kill();
    await fleet?.destroy();
  });

  it('a cgroup driver that disagrees with containerd_systemd_cgroup is refused before anything changes', () => {
    const before = nodeSnapshot(fleet, node);
    const r = cli(['preflight'], 'preflight-cgroup', { containerd_systemd_cgroup: false });
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stdout).to.match(
      /dw01: Docker runs with the systemd cgroup driver \(daemon.json exec-opts native.cgroupdriver=systemd\) but containerd_systemd_cgroup makes containerd and kubelet use cgroupfs/,
    );
    expect(nodeSnapshot(fleet, node)).to.deep.equal(before);
  });

  it("Docker's log tag template in daemon.json is carried as data: never rendered, so no controller variable reaches the node", () => {
    const secret = 'zq-controller-secret-zq';
    const daemonJson = sh('cat /etc/docker/daemon.json').stdout;
    // Docker's own log tag is a Go template; one naming a controller variable is what someone with the node's files could write.
    const tag = '{{.Name}} {{ ansible_become_password }}';
    sh(`sed -i 's|"max-file": "3"|"max-file": "3", "tag": "${tag}"|' /etc/docker/daemon.json`);
    try {
      expect(sh('cat /etc/docker/daemon.json').stdout).to.include(tag);
      const before = nodeSnapshot(fleet, node);
      const preflight = cli(['preflight'], 'preflight-template', { ansible_become_password: secret });
      expect(preflight.code, preflight.stdout + preflight.stderr).to.equal(0);
      const check = cli(['--check', '--diff'], 'check-template', { ansible_become_password: secret });
      expect(check.code, check.stdout + check.stderr).to.equal(0);
      // The state file that keeps the tag is planned (its content is not shown: mode 0600).
      expect(check.stdout).to.match(/create \/var\/lib\/provision\/docker-settings\.json/);
      for (const out of [preflight.stdout + preflight.stderr, check.stdout + check.stderr, JSON.stringify(check.report)]) expect(out).not.to.include(secret);
      expect(nodeSnapshot(fleet, node)).to.deep.equal(before);
    } finally {
      fleet.ssh(node, `cat > /etc/docker/daemon.json <<'EOF'\n${daemonJson.endsWith('\n') ? daemonJson : `${daemonJson}\n`}EOF`);
    }
  });

  it('the preflight tells what changes for workloads: the log collector, the pods on docker.sock, the images handed over', () => {
    const r = cli(['preflight'], 'preflight');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /dw01: note: container logs switch from Docker's JSON lines to the CRI format .*logging\/fluent-bit \(Fluent Bit: use the cri parser/,
    );
    expect(r.stdout).not.to.match(/node-exporter/);
    expect(r.stdout).to.match(
      /dw01: note: pods on this node mount Docker's socket by hostPath and break without Docker: ci\/dind-agent \(hostPath \/var\/run\/docker.sock\)/,
    );
    expect(r.stdout).to.match(new RegExp(`dw01: note: 1 Docker image\\(s\\) .* handed over to containerd: ${reg()}/team/app:1.0`));
  });

  it('--check shows the carried settings and the handover, and changes nothing', () => {
    const before = nodeSnapshot(fleet, node);
    const r = cli(['--check', '--diff'], 'check');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const changes = r.report!.tasks.flatMap((t) => t.changes ?? []);
    expect(changes).to.include(`create /etc/containerd/certs.d/${reg()}/ca.crt (a copy of /etc/docker/certs.d/${reg()}/ca.crt)`);
    expect(changes).to.include('create /var/lib/provision/docker-settings.json');
    expect(changes).to.include(`create /etc/containerd/certs.d/${reg()}/hosts.toml`);
    // Docker's pause image goes too: the offline node has no other sandbox image (the preflight's sandbox rule).
    expect(changes).to.include(`export 2 image(s) from Docker to /var/lib/provision/docker-images.tar: k8s.gcr.io/pause:3.6, ${reg()}/team/app:1.0`);
    expect(changes).to.include(`import 2 image(s) into containerd's k8s.io namespace: k8s.gcr.io/pause:3.6, ${reg()}/team/app:1.0`);
    expect(r.stdout).to.include('+containerLogMaxSize: 10Mi').and.include(`+[host."http://${reg()}"]`);
    expect(nodeSnapshot(fleet, node)).to.deep.equal(before);
    checkReport = r.report!;
  });

  it('the migration leaves containerd with the same registry settings and the images, and pulls through its hosts', () => {
    const r = cli([], 'apply');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    // --check reported exactly what the apply changed on the node (drain and uncordon run only for real).
    const onNode = (report: Report) => changedTasks(report, node).filter((t) => !t.startsWith('rollout'));
    expect(onNode(r.report!)).to.deep.equal(onNode(checkReport));
    const rollout = Object.fromEntries(r.report!.tasks.filter((t) => t.role === 'rollout').map((t) => [t.task, t]));
    expect(rollout['verify node']!.status, JSON.stringify(rollout['verify node'])).to.equal('ok');
    expect(rollout['node runtime']).to.deep.include({ status: 'ok' });
    expect((rollout['node runtime'] as { reason?: string }).reason).to.match(/^the node reports containerd:\/\/\d+\.\d+/);
    expect(r.stdout).to.match(/^NOTES$/m);

    // Docker is gone, with /etc/docker; what it had lives on in containerd's certs.d.
    expect(sh('[ -e /etc/docker ] && echo present; systemctl is-active docker').stdout).to.not.include('present');
    expect(sh('containerd config dump').stdout).to.match(/config_path = "\/etc\/containerd\/certs.d"/);
    const dir = `/etc/containerd/certs.d/${reg()}`;
    expect(parseToml(sh(`cat ${dir}/hosts.toml`).stdout)).to.deep.equal({
      server: `https://${reg()}`,
      host: {
        [`https://${reg()}`]: { capabilities: ['pull', 'resolve', 'push'], skip_verify: true, ca: [`${dir}/ca.crt`] },
        [`http://${reg()}`]: { capabilities: ['pull', 'resolve', 'push'] },
      },
    });
    expect(parseToml(sh('cat /etc/containerd/certs.d/docker.io/hosts.toml').stdout)).to.deep.equal({
      server: 'https://registry-1.docker.io',
      host: { 'https://mirror.invalid:5000': { capabilities: ['pull', 'resolve'] } },
    });
    expect(sh(`sha256sum < ${dir}/ca.crt`).stdout.trim()).to.equal(planted.ca);
    expect(sh('cat /var/lib/kubelet/kubelet-config.yaml').stdout)
      .to.match(/^containerLogMaxSize: 10Mi$/m)
      .and.match(/^containerLogMaxFiles: 3$/m);

    // The image the node's container used is in containerd's k8s.io namespace; the unused one was not handed over.
    const images = sh('ctr -n k8s.io images ls -q').stdout.split('\n');
    expect(images).to.include(`${reg()}/team/app:1.0`);
    expect(images).to.not.include('local/unused:2.0');
    expect(sh('[ -e /var/lib/provision/docker-images.tar ] && echo left').stdout).to.equal('');
    // verify_pull pulled through the hosts: the registry speaks plain HTTP, which only the carried hosts.toml allows.
    expect(images).to.include(`${reg()}/team/pause:1.0`);
    const plain = sh(`ctr -n probe images pull ${reg()}/team/pause:1.0`);
    expect(plain.code, 'without --hosts-dir the plain-HTTP registry is refused').to.not.equal(0);
    expect(sh(`ctr -n probe images pull --hosts-dir /etc/containerd/certs.d ${reg()}/team/pause:1.0`).code).to.equal(0);
  });

  it('a second run, with /etc/docker gone, changes nothing; --check agrees', () => {
    // Without the drain, whose kubectl calls are changes on every run.
    const r = cli([], 'again', { provision_drain: false });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.report!.summary[node]).to.deep.include({ changed: 0, failed: 0 });
    const check = cli(['--check'], 'check-again', { provision_drain: false });
    expect(check.report!.summary[node]).to.deep.include({ changed: 0, failed: 0 });
    expect(sh('ctr -n k8s.io images ls -q').stdout).to.include(`${reg()}/team/app:1.0`);
  });
});
