import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeListenPort } from '../fleet/ports.js';

/**
 * Debian's real containerd (and its CRI plugin), started by a test on a temporary root, state dir
 * and socket with a config of the test's own: never the machine's /run/containerd. Handlers runc
 * (Debian's runc) and crun (Debian's crun) when installed; registry hosts from `certs.d`
 * (hosts.toml per registry, as the install-containerd role writes them).
 */
export class TestContainerd {
  readonly dir = mkdtempSync(join(tmpdir(), 'provision-ctd-'));
  readonly socket = join(this.dir, 'containerd.sock');
  readonly certsDir = join(this.dir, 'certs.d');
  readonly cniConfDir = join(this.dir, 'cni');
  log = '';
  private child?: ChildProcess;

  constructor(readonly opts: { sandboxImage: string; handlers: Record<string, string> }) {}

  /** A registry on loopback, reached over plain HTTP (hosts.toml), as the role writes a mirror. */
  addPlainHttpRegistry(hostPort: string): void {
    mkdirSync(join(this.certsDir, hostPort), { recursive: true });
    writeFileSync(
      join(this.certsDir, hostPort, 'hosts.toml'),
      `server = "http://${hostPort}"\n\n[host."http://${hostPort}"]\n  capabilities = ["pull", "resolve"]\n`,
    );
  }

  async config(): Promise<string> {
    const runtimes = Object.entries(this.opts.handlers).map(
      ([name, binary]) =>
        `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${name}]\n  runtime_type = "io.containerd.runc.v2"\n` +
        `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${name}.options]\n  BinaryName = "${binary}"\n`,
    );
    return [
      'version = 2',
      `root = "${this.dir}/root"`,
      `state = "${this.dir}/state"`,
      '[grpc]',
      `  address = "${this.socket}"`,
      '[ttrpc]',
      `  address = "${this.socket}.ttrpc"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${this.dir}/opt"`,
      '[plugins."io.containerd.grpc.v1.cri"]',
      `  sandbox_image = "${this.opts.sandboxImage}"`,
      // Its own streaming port (the default 10010 would clash with another containerd on this machine).
      `  stream_server_port = "${await freeListenPort()}"`,
      // This machine's root lacks CAP_SYS_RESOURCE: a sandbox's oom_score_adj of -998 would be
      // refused ("write to /proc/self/oom_score_adj: Permission denied"); no lower than containerd's own.
      '  restrict_oom_score_adj = true',
      '[plugins."io.containerd.grpc.v1.cri".containerd]',
      '  snapshotter = "overlayfs"',
      `  default_runtime_name = "${Object.keys(this.opts.handlers)[0]}"`,
      ...runtimes,
      '[plugins."io.containerd.grpc.v1.cri".cni]',
      '  bin_dir = "/usr/lib/cni"',
      `  conf_dir = "${this.cniConfDir}"`,
      '[plugins."io.containerd.grpc.v1.cri".registry]',
      `  config_path = "${this.certsDir}"`,
      '',
    ].join('\n');
  }

  async start(): Promise<void> {
    mkdirSync(this.certsDir, { recursive: true });
    mkdirSync(this.cniConfDir, { recursive: true });
    writeFileSync(join(this.dir, 'config.toml'), await this.config());
    this.child = spawn('containerd', ['--config', join(this.dir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d) => (this.log = (this.log + d).slice(-20_000)));
    for (let i = 0; i < 200; i++) {
      if (existsSync(this.socket) && (await canOpen(this.socket))) return;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`containerd did not start: ${this.log.slice(-2000)}`);
  }

  /** `ctr` against this containerd, in the k8s.io namespace (where CRI keeps its containers and images). */
  ctr(...args: string[]): string {
    const r = spawnSync('ctr', ['--address', this.socket, '-n', 'k8s.io', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** Stops containerd (its shims, started by it, get SIGKILL too: they are in its process group only by pid file). */
  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return this.cleanup();
    const exited = new Promise((r) => this.child!.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    this.cleanup();
  }

  private cleanup(): void {
    // Snapshots may still be mounted when a test failed half-way: unmount below our root before removing it.
    const mounts = spawnSync('sh', ['-c', `grep -o ' ${this.dir}[^ ]*' /proc/self/mountinfo | sort -r`], { encoding: 'utf8' }).stdout;
    for (const m of mounts
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean))
      spawnSync('umount', ['-l', m]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canOpen(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Why the real containerd cannot be started here (not root, not installed), or undefined. */
export function containerdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'containerd needs root';
  if (spawnSync('sh', ['-c', 'command -v containerd && command -v ctr']).status !== 0) return 'containerd missing (apt-get install containerd)';
  return undefined;
}
