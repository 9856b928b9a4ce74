import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureArtifacts, type Artifacts } from './artifacts.js';
import { bootFiles, layoutLayer, type NodeLayout } from './layouts.js';
import { freeListenPort } from './ports.js';
import {
  FLEET_NET_WANTS,
  type PrivateNetwork,
  privateNetworkArgs,
  privateNetworkFiles,
  privateNetworkFor,
  releaseHostSide,
  setUpHostSide,
} from './private-network.js';
import { loadDockershimPause } from '../helpers/tiny-images.js';
import { SshTransport } from '../../src/transport/ssh-transport.js';

/**
 * Real systemd nodes on this machine (systemd-nspawn), each with sshd on its own loopback port
 * and the Docker-era state of a self-managed worker: Docker Engine running, containerd under it,
 * a kubelet STAND-IN (no Debian package ships kubelet) with a Docker-era kubelet.service.
 * Every process the fleet starts is recorded in its state file and stopped by that id.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const CACHE_ROOT = process.env.PROVISION_FLEET_CACHE ?? '/var/tmp/provision-fleet';

export interface FleetNode {
  name: string;
  /** Where its sshd listens: 127.0.0.1 (the controller's namespace), or its own address with a private network. */
  address: string;
  port: number;
  dir: string;
  nspawnPid: number;
  kubeletVersion: string;
  layout: NodeLayout;
  /** A network namespace of its own (private-network.ts); absent, the node shares the controller's. */
  privateNetwork?: PrivateNetwork;
}

/** One node to boot: `privateNetwork` gives it its own network namespace, linked to the controller by a veth pair. */
export interface NodeSpec {
  name: string;
  kubeletVersion?: string;
  layout?: NodeLayout;
  privateNetwork?: boolean;
}

export interface FleetState {
  dir: string;
  /** The process that booted the fleet: another run never stops a fleet whose owner is alive. */
  ownerPid: number;
  image: string;
  nodes: FleetNode[];
  httpPid?: number;
  httpPort: number;
  artifacts: Artifacts;
}

/**
 * What lets a node run containers (README, "Nodes that run containers"): CAP_NET_ADMIN, so runc and
 * crun can bring up the loopback of a container's own network namespace; /var/lib/containerd on the
 * host's disk, as containerd's overlayfs snapshotter cannot mount on the node's own overlay root.
 * SYSTEMD_SECCOMP=0 (in nspawn's environment) drops nspawn's seccomp filter, which denies the
 * session-keyring calls runc makes.
 */
const CONTAINER_ARGS = (nodeDir: string) => ['--capability=CAP_NET_ADMIN', `--bind=${containerdDir(nodeDir)}:/var/lib/containerd`];
const containerdDir = (nodeDir: string) => join(nodeDir, 'containerd');

const run = (cmd: string, args: string[], opts: { input?: string } = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input ?? '', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
};

const FLEET_TOOLS: Record<string, string> = {
  'systemd-nspawn': 'systemd-container',
  debootstrap: 'debootstrap',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  'ssh-keyscan': 'openssh-client',
  python3: 'python3',
  // privateNetwork nodes: the veth's host side is numbered with ip.
  ip: 'iproute2',
};
const missingTools = () => Object.keys(FLEET_TOOLS).filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

/** Why the fleet cannot run here, or undefined when it can. */
export function fleetUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the fleet needs root (systemd-nspawn, overlay mounts)';
  const missing = missingTools();
  if (missing.length) return `${missing.join(', ')} missing (apt-get install ${[...new Set(missing.map((t) => FLEET_TOOLS[t]))].join(' ')})`;
  return undefined;
}

/**
 * In a test's `before`: skips the tests (saying why) where the fleet cannot run, and fails them
 * under CI, where it must.
 */
export function requireFleet(ctx: { skip(): void }, what: string): void {
  const why = fleetUnavailable();
  if (!why) return;
  if (process.env.CI) throw new Error(`the end-to-end fleet must run under CI: ${why}`);
  console.warn(`\n      SKIPPED ${what}: ${why}\n`);
  ctx.skip();
}

/** For people (npm run demo / fleet up): installs the fleet's Debian packages when they are missing. */
export function installFleetTools(log: (s: string) => void): void {
  const missing = missingTools();
  if (!missing.length || process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return;
  const pkgs = [...new Set(missing.map((t) => FLEET_TOOLS[t]!))];
  log(`installing ${pkgs.join(' ')} (apt-get)`);
  run('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs.join(' ')} >/dev/null`]);
}

/** The node image, built once per recipe (a hash of test/fleet/image/) and cached outside the repo. */
export function ensureImage(log: (s: string) => void = () => {}): string {
  const recipeDir = join(here, 'image');
  const hash = createHash('sha256');
  for (const f of readdirSync(recipeDir).sort()) hash.update(f).update(readFileSync(join(recipeDir, f)));
  const image = join(CACHE_ROOT, `image-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(join(image, 'etc/provision-fleet-recipe'))) return image;
  log(`building the node image ${image} (once per recipe, about a minute)`);
  mkdirSync(CACHE_ROOT, { recursive: true });
  run('bash', [join(recipeDir, 'build-image.sh'), image]);
  return image;
}

export class Fleet {
  constructor(readonly state: FleetState) {}

  get keyFile(): string {
    return join(this.state.dir, 'id_ed25519');
  }

  get knownHostsFile(): string {
    return join(this.state.dir, 'known_hosts');
  }

  get inventoryFile(): string {
    return join(this.state.dir, 'inventory.ini');
  }

  static load(dir: string): Fleet | undefined {
    const file = join(dir, 'state.json');
    return existsSync(file) ? new Fleet(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  }

  private save(): void {
    writeFileSync(join(this.state.dir, 'state.json'), JSON.stringify(this.state, null, 2));
  }

  /** Boots `names` (e.g. worker01..worker03), each at its kubelet stand-in version and in its layout (see layouts.ts). */
  static async up(dir: string, nodes: NodeSpec[], log: (s: string) => void = () => {}): Promise<Fleet> {
    const old = Fleet.load(dir);
    if (old && old.state.ownerPid !== process.pid && alive(old.state.ownerPid) && old.state.nodes.length) {
      throw new Error(`the fleet in ${dir} belongs to the running process ${old.state.ownerPid}: stop it first (npm run fleet -- down)`);
    }
    if (old) await old.down();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const image = ensureImage(log);
    const artifacts = ensureArtifacts(CACHE_ROOT);
    const httpPort = await freeListenPort();
    const fleet = new Fleet({ dir, ownerPid: process.pid, image, nodes: [], httpPort, artifacts });
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'provision-fleet', '-f', fleet.keyFile]);
    fleet.save();
    try {
      fleet.startArtifactServer();
      for (const n of nodes)
        fleet.state.nodes.push(
          await fleet.boot(n.name, n.kubeletVersion ?? '1.23', n.layout ?? {}, undefined, n.privateNetwork ? privateNetworkFor(n.name) : undefined),
        );
      fleet.save();
      await Promise.all(fleet.state.nodes.map((n) => fleet.waitReady(n)));
      writeFileSync(fleet.knownHostsFile, fleet.state.nodes.map((n) => run('ssh-keyscan', ['-t', 'ed25519', '-p', String(n.port), n.address])).join(''));
      // As on a dockershim node, Docker holds the pause image: offline, it becomes containerd's sandbox image.
      for (const n of fleet.state.nodes) loadDockershimPause(fleet.sshArgs(n), image);
      fleet.writeInventory();
      return fleet;
    } catch (e) {
      await fleet.down();
      throw e;
    }
  }

  private startArtifactServer(): void {
    const logFd = openSync(join(this.state.dir, 'http.log'), 'a');
    const child = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', this.state.artifacts.dir, String(this.state.httpPort)], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    child.unref();
    this.state.httpPid = child.pid;
    this.save();
  }

  /** `port`: booting again a node that was stopped (its files as it left them, its own port and host key). */
  private async boot(name: string, kubeletVersion: string, layout: NodeLayout, port?: number, net?: PrivateNetwork): Promise<FleetNode> {
    const dir = join(this.state.dir, 'nodes', name);
    const root = join(dir, 'root');
    for (const d of ['upper', 'work', 'root']) mkdirSync(join(dir, d), { recursive: true });
    const layer = layoutLayer(this.state.image, layout);
    const lower = layer ? `${layer}:${this.state.image}` : this.state.image;
    run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${dir}/upper,workdir=${dir}/work`, root]);
    if (port === undefined) for (const [path, content] of Object.entries(bootFiles(layout, kubeletVersion))) writeFileSync(join(root, path), content);
    port ??= net ? 22 : await freeListenPort();
    writeFileSync(join(root, 'etc/hostname'), `${name}\n`);
    writeFileSync(join(root, 'etc/ssh/sshd_config.d/fleet.conf'), `Port ${port}\nListenAddress 127.0.0.1\nPermitRootLogin prohibit-password\n`);
    if (net) writePrivateNetworkFiles(root, net);
    writeFileSync(join(root, 'root/.ssh/authorized_keys'), readFileSync(`${this.keyFile}.pub`), { mode: 0o600 });
    writeFileSync(join(root, 'etc/kubelet-standin/version'), `${kubeletVersion}\n`);
    const logFd = openSync(join(dir, 'console.log'), 'a');
    mkdirSync(containerdDir(dir), { recursive: true });
    const netArgs = net ? privateNetworkArgs() : [];
    const child = spawn('systemd-nspawn', ['-q', '-D', root, '--boot', '--register=no', '--keep-unit', '-M', name, ...CONTAINER_ARGS(dir), ...netArgs], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, SYSTEMD_SECCOMP: '0' },
    });
    closeSync(logFd);
    child.unref();
    const node: FleetNode = { name, address: net?.nodeAddress ?? '127.0.0.1', port, dir, nspawnPid: child.pid!, kubeletVersion, layout, privateNetwork: net };
    this.state.nodes.push(node);
    this.save();
    if (net) {
      net.httpPid = await setUpHostSide(net, child.pid!, { dir: this.state.artifacts.dir, port: this.state.httpPort, logDir: this.state.dir });
      this.save();
    }
    this.state.nodes.pop();
    return node;
  }

  /**
   * fleet-cgroups.service made the node's cgroup controllers writable at boot; under load one was once found
   * read-only when a pod started (runc: "mkdir /sys/fs/cgroup/cpuset/...: read-only file system"). Each
   * controller is proven writable by a directory made and removed in it; one that is not gets the unit's
   * script again, and a node still without them does not count as up.
   */
  private ensureWritableCgroups(node: FleetNode): void {
    const probe = [
      'for c in cpu cpuacct cpuset memory devices freezer blkio pids; do',
      '  mountpoint -q "/sys/fs/cgroup/$c" || continue',
      '  d="/sys/fs/cgroup/$c/fleet-probe.$$"; if mkdir "$d" 2>/dev/null; then rmdir "$d"; else echo "$c"; fi',
      'done',
    ].join('\n');
    const ssh = (cmd: string) => spawnSync('ssh', [...this.sshArgs(node, 'accept-new', '/dev/null'), cmd], { encoding: 'utf8', timeout: 60_000 });
    if (!ssh(probe).stdout.trim()) return;
    ssh('/usr/local/sbin/fleet-cgroups');
    const still = ssh(probe).stdout.trim();
    if (still) throw new Error(`${node.name}: cgroup controllers still read-only after fleet-cgroups: ${still.split('\n').join(', ')}`);
  }

  private async waitReady(node: FleetNode): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const r = spawnSync('ssh', [...this.sshArgs(node, 'accept-new', '/dev/null'), 'systemctl is-system-running --wait'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (/^(running|degraded)/m.test(r.stdout)) return this.ensureWritableCgroups(node);
      if (Date.now() > deadline)
        throw new Error(`${node.name} did not come up: ${r.stderr}${r.stdout}\n${readFileSync(join(node.dir, 'console.log'), 'utf8').slice(-2000)}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }

  sshArgs(node: FleetNode, strict = 'yes', knownHosts = this.knownHostsFile): string[] {
    return [
      '-q',
      '-i',
      this.keyFile,
      '-p',
      String(node.port),
      '-o',
      'BatchMode=yes',
      '-o',
      `StrictHostKeyChecking=${strict}`,
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'ConnectTimeout=5',
      `root@${node.address}`,
    ];
  }

  node(name: string): FleetNode {
    const n = this.state.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name} in the fleet`);
    return n;
  }

  /** Runs a command on a node over real SSH; returns stdout, throws on a non-zero exit unless allowed. */
  ssh(name: string, command: string, opts: { allowFail?: boolean } = {}): { code: number; stdout: string; stderr: string } {
    const r = spawnSync('ssh', [...this.sshArgs(this.node(name)), command], { encoding: 'utf8', timeout: 120_000 });
    const result = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    if (result.code !== 0 && !opts.allowFail) throw new Error(`ssh ${name} ${command}: exit ${result.code}: ${r.stderr}`);
    return result;
  }

  /** provision's own SSH transport to a node, as root over its loopback port (for CRI over the node's socket): the caller closes it. */
  transport(name: string): Promise<SshTransport> {
    const spec = {
      type: 'ssh' as const,
      address: this.node(name).address,
      port: this.node(name).port,
      user: 'root',
      privateKeyFile: this.keyFile,
      become: false,
      becomeUser: 'root',
    };
    return SshTransport.connect(name, spec, { knownHostsFile: this.knownHostsFile });
  }

  /**
   * An Ansible INI inventory for the fleet, with download_base_url on the loopback artifact server (a
   * private-network node's own: the server's listener on its veth's host side).
   */
  writeInventory(extraVars: string[] = []): string {
    const a = this.state.artifacts;
    const lines = [
      '[k8s_worker]',
      ...this.state.nodes.map(
        (n) =>
          `${n.name} ansible_host=${n.address} ansible_port=${n.port} kubernetes_version="'${n.kubeletVersion}'"${privateDownload(n, this.state.httpPort)}`,
      ),
      '',
      '[k8s_worker:vars]',
      'ansible_user=root',
      `ansible_ssh_private_key_file=${this.keyFile}`,
      `download_base_url=http://127.0.0.1:${this.state.httpPort}`,
      `containerd_version='${a.containerd}'`,
      `runc_version='${a.runc}'`,
      `cni_version='${a.cni}'`,
      "provision_roles=['remove-docker', 'install-runc', 'install-cni', 'install-containerd', 'kubelet-config']",
      // The nodes lack CAP_SYS_RESOURCE (so does this machine): a pod sandbox's oom_score_adj of -998 would be refused.
      'containerd_restrict_oom_score_adj=true',
      ...extraVars,
      '',
    ];
    writeFileSync(this.inventoryFile, lines.join('\n'));
    return this.inventoryFile;
  }

  /**
   * Stops every node by killing its init (the nspawn process's child: killing nspawn alone can
   * leave systemd and sshd running, orphaned), waits for nspawn to exit, unmounts the overlay.
   */
  async down(): Promise<void> {
    for (const node of this.state.nodes) {
      await stopNode(node);
      removeContainerdDir(node);
    }
    if (this.state.httpPid && alive(this.state.httpPid)) kill(this.state.httpPid);
    this.state.nodes = [];
    this.state.httpPid = undefined;
    if (existsSync(this.state.dir)) this.save();
  }

  /** Cuts a node's power, as it were: every process in it ends at once; its files stay for `restart`. */
  async kill(name: string): Promise<void> {
    await stopNode(this.node(name));
  }

  /** Boots a killed node again, with its files as it left them, on its own port (its host key is unchanged). */
  async restart(name: string): Promise<void> {
    const old = this.node(name);
    await stopNode(old);
    const node = await this.boot(name, old.kubeletVersion, old.layout, old.port, old.privateNetwork);
    this.state.nodes = this.state.nodes.map((n) => (n.name === name ? node : n));
    this.save();
    await this.waitReady(node);
  }

  /** Stops the fleet and deletes its nodes' files (a test fleet, once its tests are done). */
  async destroy(): Promise<void> {
    await this.down();
    rmSync(this.state.dir, { recursive: true, force: true });
  }
}

/**
 * A fleet directory of this test run's own (so concurrent runs never stop each other's nodes),
 * after stopping the fleets of earlier runs whose process is gone.
 */
export async function testFleetDir(name: string): Promise<string> {
  for (const entry of existsSync(CACHE_ROOT) ? readdirSync(CACHE_ROOT) : []) {
    if (!entry.startsWith('test-')) continue;
    const stale = Fleet.load(join(CACHE_ROOT, entry));
    if (stale && !alive(stale.state.ownerPid)) {
      await stale.down();
      rmSync(join(CACHE_ROOT, entry), { recursive: true, force: true });
    }
  }
  return join(CACHE_ROOT, `test-${name}-${process.pid}`);
}

/** Kills a node's init (killing nspawn alone can leave systemd and sshd running, orphaned), waits for nspawn, unmounts. */
async function stopNode(node: FleetNode): Promise<void> {
  if (alive(node.nspawnPid)) {
    const init = spawnSync('pgrep', ['-P', String(node.nspawnPid)], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .filter(Boolean);
    for (const pid of init) kill(Number(pid));
    for (let i = 0; i < 100 && alive(node.nspawnPid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(node.nspawnPid)) kill(node.nspawnPid);
  }
  if (node.privateNetwork) releaseHostSide(node.privateNetwork);
  const root = join(node.dir, 'root');
  if (spawnSync('mountpoint', ['-q', root]).status === 0) spawnSync('umount', [root]);
}

/** The node's own download_base_url, on its veth's host side (a private-network node cannot reach the controller's loopback). */
const privateDownload = (node: FleetNode, httpPort: number) =>
  node.privateNetwork ? ` download_base_url=http://${node.privateNetwork.hostAddress}:${httpPort}` : '';

/** The unit that numbers host0 (enabled as `systemctl enable` would) and sshd on the node's address. */
function writePrivateNetworkFiles(root: string, net: PrivateNetwork): void {
  for (const [path, content] of Object.entries(privateNetworkFiles(net))) writeFileSync(join(root, path), content);
  const [target, link] = FLEET_NET_WANTS;
  rmSync(join(root, link), { force: true });
  symlinkSync(target, join(root, link));
}

/**
 * A stopped node's /var/lib/containerd (images, snapshots: up to hundreds of MB). Only when nothing is
 * mounted below it any more: the node's mount namespace ended with its init, and a leftover mount
 * would make rm reach into what it holds.
 */
function removeContainerdDir(node: FleetNode): void {
  const dir = containerdDir(node.dir);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  if (mounts.some((line) => line.split(' ')[4]?.startsWith(dir))) {
    console.warn(`fleet: ${dir} still has mounts below it; left in place`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export const sh = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' });
