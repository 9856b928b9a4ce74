import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layouts real workers have (domain.md, "The layouts real workers have"), built from the base
 * image's own Debian packages and arranged as the real packaging or role arranges them:
 * - docker `distro`: Debian's docker.io with containerd and runc as dependencies, units in /lib (the base image).
 * - docker `docker-ce`: packages docker-ce, docker-ce-cli and containerd.io as Docker's repository
 *   ships them (containerd.io's /etc/containerd/config.toml disables the CRI plugin).
 * - docker `static`: githubixx/ansible-role-docker: binaries in /usr/local/bin, units in
 *   /etc/systemd/system, user docker uid 666 in group docker gid 666, no Docker package;
 *   `legacyNames` adds the pre-18.09 docker-containerd*, docker-runc.
 * - kubelet `unit`: /usr/local/bin/kubelet with its own Docker-era /etc/systemd/system/kubelet.service (the base image).
 * - kubelet `kubeadm`: /usr/bin/kubelet, the packaged kubelet.service and kubeadm's 10-kubeadm.conf
 *   drop-in (`dropIn: 'usr-lib'` as current packages, `'etc'` as older ones), kubeadm-flags.env and
 *   a kubeadm-written /var/lib/kubelet/config.yaml.
 * - `criDockerd`: Mirantis cri-dockerd's cri-docker.socket/.service with a STAND-IN binary;
 *   kubelet (1.24+) points at unix:///run/cri-dockerd.sock.
 * kubelet itself is a STAND-IN everywhere (image/kubelet-standin.py).
 */
export interface NodeLayout {
  docker?: 'distro' | 'docker-ce' | 'static';
  kubelet?: 'unit' | 'kubeadm';
  criDockerd?: boolean;
  dropIn?: 'usr-lib' | 'etc';
  legacyNames?: boolean;
}

const here = join(dirname(fileURLToPath(import.meta.url)), 'layouts');

const full = (l: NodeLayout = {}) => ({
  docker: l.docker ?? 'distro',
  kubelet: l.kubelet ?? 'unit',
  criDockerd: !!l.criDockerd,
  dropIn: l.dropIn ?? 'usr-lib',
  legacyNames: !!l.legacyNames,
});

export const isDefaultLayout = (l: NodeLayout = {}) => {
  const f = full(l);
  return f.docker === 'distro' && f.kubelet === 'unit' && !f.criDockerd;
};

/**
 * The overlay layer that turns the base image into `layout`, built once per layout and recipe
 * (cached beside the image) under a lock, so concurrent test runs never build it twice at once.
 * Nodes mount it as a lower layer above the image: booting a variant costs what a default node costs.
 */
export function layoutLayer(image: string, layout: NodeLayout): string | undefined {
  if (isDefaultLayout(layout)) return undefined;
  const f = full(layout);
  const hash = createHash('sha256').update(basename(image)).update(JSON.stringify(f));
  for (const file of readdirSync(here).sort()) hash.update(file).update(readFileSync(join(here, file)));
  const layer = join(dirname(image), `layer-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(join(layer, '.complete'))) return layer;
  mkdirSync(dirname(layer), { recursive: true });
  const r = spawnSync(
    'flock',
    [`${layer}.lock`, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), 'build', image, layer, JSON.stringify(f)],
    {
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  if (r.status !== 0 || !existsSync(join(layer, '.complete'))) throw new Error(`building layout layer ${layer} failed: ${r.stderr}${r.stdout}`);
  return layer;
}

function build(image: string, layer: string, f: ReturnType<typeof full>): void {
  if (existsSync(join(layer, '.complete'))) return;
  const work = `${layer}.tmp`;
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  };
  spawnSync('umount', [join(work, 'root')]);
  rmSync(work, { recursive: true, force: true });
  for (const d of ['upper', 'work', 'root']) mkdirSync(join(work, d), { recursive: true });
  run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${image},upperdir=${work}/upper,workdir=${work}/work`, join(work, 'root')]);
  try {
    run('bash', [join(here, 'apply-layout.sh'), join(work, 'root'), f.docker, f.kubelet, f.criDockerd ? '1' : '0', f.dropIn, f.legacyNames ? '1' : '0']);
  } finally {
    spawnSync('umount', [join(work, 'root')]);
  }
  rmSync(layer, { recursive: true, force: true });
  renameSync(join(work, 'upper'), layer);
  rmSync(work, { recursive: true, force: true });
  run('touch', [join(layer, '.complete')]);
}

const CRI_DOCKERD = 'unix:///run/cri-dockerd.sock';
const minor = (v: string) => Number(/^\d+\.(\d+)/.exec(v)?.[1] ?? 0);

/** Files that depend on the node's kubelet version, written at boot (so one layer serves every version). */
export function bootFiles(layout: NodeLayout, kubeletVersion: string): Record<string, string> {
  const f = full(layout);
  const m = minor(kubeletVersion);
  if (f.criDockerd && m < 24) throw new Error('cri-dockerd layouts need kubelet 1.24 or later');
  // As kubeadm writes it for the node's version (kubeadm-flags.env: the runtime flags it manages).
  const runtimeFlags = f.criDockerd
    ? [...(m < 27 ? ['--container-runtime=remote'] : []), `--container-runtime-endpoint=${CRI_DOCKERD}`]
    : ['--container-runtime=docker', '--network-plugin=cni'];
  const pause = m < 24 ? 'registry.k8s.io/pause:3.6' : 'registry.k8s.io/pause:3.9';
  if (f.kubelet === 'kubeadm') {
    return { '/var/lib/kubelet/kubeadm-flags.env': `KUBELET_KUBEADM_ARGS="${[...runtimeFlags, `--pod-infra-container-image=${pause}`].join(' ')}"\n` };
  }
  if (!f.criDockerd) return {};
  // A self-managed worker's own unit, moved to cri-dockerd when it went to 1.24.
  return {
    '/etc/systemd/system/kubelet.service': [
      "# A self-managed kubelet unit on cri-dockerd (Docker kept through Mirantis' shim after 1.24).",
      '[Unit]',
      'Description=Kubernetes Kubelet',
      'After=cri-docker.service docker.service',
      'Requires=docker.service',
      '',
      '[Service]',
      `ExecStart=/usr/local/bin/kubelet \\`,
      ...runtimeFlags.map((x) => `  ${x} \\`),
      `  --pod-infra-container-image=${pause} \\`,
      '  --kubeconfig=/var/lib/kubelet/kubeconfig',
      'Restart=always',
      'RestartSec=2',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  };
}

if (process.argv[2] === 'build' && process.argv[1] === fileURLToPath(import.meta.url)) {
  build(process.argv[3]!, process.argv[4]!, JSON.parse(process.argv[5]!));
}
