import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, testFleetDir, requireFleet } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { nodeSnapshot, type Report } from '../helpers/fleet-run.js';

/**
 * Every node layout (src/domain/node-layouts.ts) migrated with one inventory, on real systemd
 * nodes over SSH (the fleet variants of test/fleet/layouts.ts). STAND-INS: kubelet (no Debian
 * package), cri-dockerd (a socket unit and a sleeping service) and kubectl on the controller
 * (records its calls; answers `get pods` from $KUBECTL_PODS).
 */
describe('end to end: every node layout migrated, and the preflight refuses what would break', function () {
  this.timeout(900_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-layouts-'));
  const bin = join(out, 'bin');
  const kubectlLog = join(out, 'kubectl.log');
  const podsFile = join(out, 'pods.json');
  const env = { PATH: `${bin}:${process.env.PATH}`, KUBECTL_LOG: kubectlLog, KUBECTL_PODS: podsFile };
  const migrated = ['lw01', 'lw02', 'lw03', 'lw04'];
  const original: Record<string, { flags: string; config: string; dropIn: string }> = {};

  const cli = (args: string[], name: string) => {
    const file = join(out, `${name}.json`);
    const preflight = args[0] === 'preflight';
    const target = ['-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile];
    const r = runCli(preflight ? ['preflight', ...target, ...args.slice(1)] : [...target, '--report', file, ...args], { env, timeoutMs: 600_000 });
    return { ...r, report: preflight ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as Report) };
  };
  const sh = (node: string, cmd: string) => fleet.ssh(node, cmd, { allowFail: true }).stdout;
  const kubelet = (node: string) => JSON.parse(sh(node, 'cat /run/kubelet-standin/status.json') || '{}');

  before(async function () {
    requireFleet(this, 'end-to-end tests');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'kubectl'),
      '#!/bin/sh\n# kubectl STAND-IN for tests: records its calls, lists pods from $KUBECTL_PODS.\necho "$*" >> "$KUBECTL_LOG"\n[ "$1" = get ] && { cat "$KUBECTL_PODS"; exit 0; }\nexit 0\n',
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    writeFileSync(podsFile, '{"items":[]}');
    fleet = await Fleet.up(await testFleetDir('layouts'), [
      { name: 'lw01', kubeletVersion: '1.23', layout: { docker: 'static', legacyNames: true } },
      { name: 'lw02', kubeletVersion: '1.23', layout: { docker: 'docker-ce', kubelet: 'kubeadm', dropIn: 'etc' } },
      { name: 'lw03', kubeletVersion: '1.29', layout: { docker: 'distro', kubelet: 'kubeadm', criDockerd: true } },
      { name: 'lw04', kubeletVersion: '1.26', layout: { docker: 'docker-ce', criDockerd: true } },
      { name: 'lw05', kubeletVersion: '1.23' },
    ]);
    for (const n of ['lw02', 'lw03']) {
      original[n] = {
        flags: sh(n, 'cat /var/lib/kubelet/kubeadm-flags.env'),
        config: sh(n, 'cat /var/lib/kubelet/config.yaml'),
        dropIn: sh(n, 'cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf 2>/dev/null'),
      };
    }
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('provision preflight detects each layout, passes every node and changes nothing on any', () => {
    const before = migrated.map((n) => nodeSnapshot(fleet, n));
    const r = cli(['preflight', '--limit', migrated.join(',')], 'preflight-clean');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows).to.deep.include.members([
      ['lw01', 'static', 'unit', 'no', 'ok'],
      ['lw02', 'docker-ce', 'kubeadm', 'no', 'ok'],
      ['lw03', 'packages', 'kubeadm', 'yes', 'ok'],
      ['lw04', 'docker-ce', 'unit', 'yes', 'ok'],
    ]);
    expect(migrated.map((n) => nodeSnapshot(fleet, n))).to.deep.equal(before);
  });

  it("migrates every layout with the same inventory: kubelet (stand-in) runs on containerd's socket", () => {
    const r = cli(['-e', 'provision_drain=true', '--limit', migrated.join(',')], 'migrate');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    for (const n of migrated) {
      expect(kubelet(n), n).to.deep.include({ endpoint: 'unix:///run/containerd/containerd.sock' });
      expect(sh(n, 'systemctl is-active kubelet containerd'), n).to.equal('active\nactive\n');
    }
  });

  it('nothing of Docker or cri-dockerd remains: binaries, units, packages, the docker user and group', () => {
    for (const n of migrated) {
      const left = sh(
        n,
        [
          'ls /usr/local/bin /usr/bin /usr/sbin | grep -E "^(docker|dockerd|docker-.*|cri-dockerd)$"',
          'systemctl list-unit-files --no-legend | grep -E "^(docker|cri-docker)"',
          'dpkg-query -W -f "\\${db:Status-Abbrev} \\${Package}\\n" docker.io docker-ce docker-ce-cli containerd.io 2>/dev/null | grep "^ii"',
          'getent passwd docker',
          'getent group docker',
          'ls /run/cri-dockerd.sock /run/docker.sock 2>/dev/null',
          'true',
        ].join('; '),
      );
      expect(left, n).to.equal('');
    }
    // Static Docker: its runc and pre-18.09 names went; /usr/local/bin holds kubelet and exactly what
    // install-containerd's archive put there (nothing of Docker's left, none of containerd's removed).
    const archive = sh('lw01', 'tar -tzf /var/cache/provision/containerd-*.tar.gz | sed -n "s#^bin/##p" | grep . | sort').trim().split('\n');
    expect(archive).to.include.members(['containerd', 'ctr']);
    expect(sh('lw01', 'ls /usr/local/bin').trim().split('\n')).to.have.members([...archive, 'kubelet']);
  });

  it('docker-ce nodes keep one containerd and one ctr on the PATH (containerd.io is replaced by the release archive)', () => {
    for (const n of ['lw02', 'lw04']) {
      const found = sh(
        n,
        'for d in $(echo "$PATH" | tr : " "); do for b in containerd ctr runc; do [ -x "$d/$b" ] && readlink -f "$d/$b"; done; done | sort -u',
      );
      expect(found, n).to.equal('/usr/local/bin/containerd\n/usr/local/bin/ctr\n/usr/local/sbin/runc\n');
    }
  });

  it("kubeadm nodes keep kubeadm's files: no competing unit, flags edited, config.yaml changed by one line at most", () => {
    for (const n of ['lw02', 'lw03']) expect(sh(n, 'ls /etc/systemd/system/kubelet.service 2>&1'), n).to.match(/No such file/);
    expect(sh('lw02', 'cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf')).to.equal(original.lw02!.dropIn);
    expect(sh('lw02', 'cat /var/lib/kubelet/config.yaml')).to.equal(original.lw02!.config);
    expect(original.lw02!.flags).to.match(/--container-runtime=docker/);
    expect(sh('lw02', 'cat /var/lib/kubelet/kubeadm-flags.env')).to.equal(
      original
        .lw02!.flags.replace('--container-runtime=docker', '--container-runtime=remote')
        // Read only by dockershim: dropped when the runtime moves, though 1.23 still accepts it.
        .replace(' --network-plugin=cni', '')
        .replace('"\n', ' --container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n'),
    );
    // 1.29: the endpoint leaves the flags for kubeadm's config.yaml; every other byte of it stays.
    expect(sh('lw03', 'cat /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf')).to.equal(original.lw03!.dropIn);
    expect(sh('lw03', 'cat /var/lib/kubelet/kubeadm-flags.env')).to.equal(
      original.lw03!.flags.replace(/--container-runtime-endpoint=\S+ ?/, '').replace(' "', '"'),
    );
    expect(sh('lw03', 'cat /var/lib/kubelet/config.yaml')).to.equal(
      `${original.lw03!.config}containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n`,
    );
  });

  it('with provision_drain, kubeadm nodes get the cri-socket annotation on the controller (kubectl stand-in)', () => {
    const calls = readFileSync(kubectlLog, 'utf8');
    for (const n of ['lw02', 'lw03'])
      expect(calls).to.include(`annotate node ${n} --overwrite kubeadm.alpha.kubernetes.io/cri-socket=unix:///run/containerd/containerd.sock`);
    for (const n of ['lw01', 'lw04']) expect(calls).not.to.include(`annotate node ${n} `);
  });

  it('a second run changes nothing on any layout', () => {
    const r = cli(['--limit', migrated.join(',')], 'second');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    for (const n of migrated)
      expect(r.report!.summary[n]!.changed, `${n}: ${JSON.stringify(r.report!.tasks.filter((t) => t.host === n && t.status === 'changed'))}`).to.equal(0);
  });

  // Each blocking condition is planted on lw05 (an unmigrated Docker-era node), refused by
  // `provision preflight` with host, finding and a way on, and the node's files stay byte for byte.
  const plantings: { name: string; plant: string; undo: string; args?: string[]; message: RegExp; pods?: string; kubeletLayout?: string }[] = [
    {
      name: 'a user whose primary group is docker',
      plant: 'useradd -M -g docker alice',
      undo: 'userdel alice',
      message: /group docker is the primary group of alice: groupdel would fail.*usermod -g/,
    },
    {
      name: 'a file where a directory must go',
      plant: 'mkdir -p /opt/cni && rm -rf /opt/cni/bin && touch /opt/cni/bin',
      undo: 'rm -f /opt/cni/bin',
      message: /a task cannot be planned on this node: install-cni .*\/opt\/cni\/bin exists and is a regular empty file, not a directory/,
    },
    {
      name: 'no curl or wget',
      plant: 'for b in curl wget; do p=$(command -v $b) && mv "$p" "$p.off"; done; true',
      undo: 'for p in /usr/bin/curl.off /usr/bin/wget.off; do [ -e $p ] && mv $p ${p%.off}; done; true',
      message: /neither curl nor wget is installed.*apt-get install curl/,
    },
    {
      name: 'too little free disk for the archives',
      plant: 'mkdir -p /mnt/tiny && mount -t tmpfs -o size=1m tmpfs /mnt/tiny',
      undo: 'umount /mnt/tiny',
      args: ['-e', 'provision_download_dir=/mnt/tiny/cache'],
      message: /only 1 MiB free on \/mnt\/tiny .*provision_download_dir/,
    },
    {
      name: 'a kubelet layout it does not recognise',
      plant:
        'mkdir -p /etc/systemd/system/kubelet.service.d && printf "[Service]\\nExecStart=\\nExecStart=/opt/kubelet-wrapper\\n" > /etc/systemd/system/kubelet.service.d/20-wrapper.conf',
      undo: 'rm -rf /etc/systemd/system/kubelet.service.d',
      kubeletLayout: 'unknown',
      message:
        /kubelet layout not recognised: found kubelet.service \(\/etc\/systemd\/system\/kubelet.service\) with drop-in \/etc\/systemd\/system\/kubelet.service.d\/20-wrapper.conf/,
    },
    {
      name: 'cgroup v1 with Kubernetes 1.35',
      plant: 'true',
      undo: 'true',
      args: ['-e', 'kubernetes_version=1.35'],
      message: /cgroup v1 \(\/sys\/fs\/cgroup is tmpfs\) with Kubernetes 1.35: kubelet 1.35 refuses to start/,
    },
    {
      name: "pods mounting Docker's socket (kubectl stand-in)",
      plant: 'true',
      undo: 'true',
      args: ['-e', 'provision_drain=true'],
      pods: JSON.stringify({
        items: [{ metadata: { namespace: 'monitoring', name: 'agent-x1' }, spec: { volumes: [{ name: 's', hostPath: { path: '/var/run/docker.sock' } }] } }],
      }),
      message:
        /pods on this node mount Docker's socket by hostPath .*monitoring\/agent-x1 \(hostPath \/var\/run\/docker.sock\).*provision_allow_docker_socket_pods: true/,
    },
  ];
  for (const p of plantings) {
    it(`the preflight refuses ${p.name}, naming what it found, and touches nothing`, () => {
      fleet.ssh('lw05', p.plant);
      try {
        if (p.pods) writeFileSync(podsFile, p.pods);
        const before = nodeSnapshot(fleet, 'lw05');
        const r = cli(['preflight', '--limit', 'lw05', ...(p.args ?? [])], `refuse-${p.name}`);
        expect(r.code, r.stdout + r.stderr).to.equal(2);
        expect(r.stdout).to.match(new RegExp(`^lw05 +packages +${p.kubeletLayout ?? 'unit'} +no +refused$`, 'm'));
        expect(r.stdout).to.match(new RegExp(`^lw05: ${p.message.source}`, 'm'));
        expect(nodeSnapshot(fleet, 'lw05')).to.deep.equal(before);
        // apply refuses the same way, before Docker or kubelet is stopped.
        const a = cli(['--limit', 'lw05', ...(p.args ?? [])], `apply-${p.name}`);
        expect(a.code).to.equal(2);
        expect(a.report!.tasks.map((t) => `${t.role}/${t.task}/${t.status}`)).to.deep.equal(['rollout/preflight/failed']);
        expect(sh('lw05', 'systemctl is-active docker kubelet')).to.equal('active\nactive\n');
        if (p.pods) {
          const go = cli(['preflight', '--limit', 'lw05', ...(p.args ?? []), '-e', 'provision_allow_docker_socket_pods=true'], 'go-on');
          expect(go.code, go.stdout).to.equal(0);
        }
      } finally {
        writeFileSync(podsFile, '{"items":[]}');
        fleet.ssh('lw05', p.undo);
      }
    });
  }
});
