import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A node with a network namespace of its own (`privateNetwork: true`, README "A node with its own network"):
 * `systemd-nspawn --network-veth` links it to the controller by a veth pair, host side `ve-<machine name>`,
 * node side `host0`. A /30 of 10.248.0.0/16 (one not on any of the controller's interfaces) numbers the
 * link: .1 on the host side, .2 on host0. sshd listens on .2 port 22, and the fleet's artifact server gets a
 * second listener on .1 (never 0.0.0.0). The controller does not forward (ip_forward 0): the node reaches the
 * controller's addresses on the link and nothing beyond. Where a CNI plugin makes a bridge, it makes it in the node's
 * namespace, not the controller's.
 */
export interface PrivateNetwork {
  /** The host side of the veth pair (`ve-<name>`). */
  link: string;
  hostAddress: string;
  nodeAddress: string;
  /** The artifact server's listener on hostAddress (stopped with the node). */
  httpPid?: number;
}

/** nspawn names the host side `ve-<name>` and truncates (appending a hash) past 15 characters: the fleet refuses such names. */
const MAX_NAME = 12;

export function privateNetworkFor(name: string): PrivateNetwork {
  if (name.length > MAX_NAME) throw new Error(`a private-network node's name is at most ${MAX_NAME} characters (its veth is ve-<name>): ${name}`);
  const used = spawnSync('ip', ['-o', '-4', 'addr'], { encoding: 'utf8' }).stdout;
  for (let n = 0; n < 256; n++) {
    if (used.includes(` 10.248.${n}.`)) continue;
    return { link: `ve-${name}`, hostAddress: `10.248.${n}.1`, nodeAddress: `10.248.${n}.2` };
  }
  throw new Error('no free /30 left in 10.248.0.0/16 for a private-network node');
}

/**
 * nspawn's arguments for the node. Its resolv.conf is the fleet's own (privateNetworkFiles), not the controller's:
 * the controller's resolver is not on the node's link, and a name lookup must fail at once, not time out.
 */
export const privateNetworkArgs = () => ['--network-veth', '--resolv-conf=off'];

/**
 * Files written into the node's root before boot: a oneshot unit that numbers host0 and routes by the host
 * side (before network.target, so before ssh.service), and sshd on the node's address, port 22.
 */
export function privateNetworkFiles(net: PrivateNetwork): Record<string, string> {
  const unit = [
    '[Unit]',
    'Description=The fleet node address on host0 (test/fleet/private-network.ts)',
    'Before=network.target ssh.service',
    'Wants=network.target',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=/usr/sbin/ip addr replace ${net.nodeAddress}/30 dev host0`,
    'ExecStart=/usr/sbin/ip link set host0 up',
    `ExecStart=/usr/sbin/ip route replace default via ${net.hostAddress} dev host0`,
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return {
    'etc/systemd/system/fleet-net.service': unit,
    'etc/resolv.conf': '# A private-network fleet node has no resolver: lookups go to its own loopback and fail at once.\nnameserver 127.0.0.1\n',
    'etc/ssh/sshd_config.d/fleet.conf': `Port 22\nListenAddress ${net.nodeAddress}\nPermitRootLogin prohibit-password\n`,
  };
}

/** The enablement symlink (what `systemctl enable` would make): [target, link path in the root]. */
export const FLEET_NET_WANTS: [string, string] = ['../fleet-net.service', 'etc/systemd/system/multi-user.target.wants/fleet-net.service'];

/**
 * Once nspawn has made the veth pair: numbers the host side and starts the artifact server's second listener on
 * its address. Returns the listener's pid (recorded in the fleet's state, stopped by `releaseHostSide`).
 */
export async function setUpHostSide(net: PrivateNetwork, nspawnPid: number, http: { dir: string; port: number; logDir: string }): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (spawnSync('ip', ['link', 'show', net.link]).status !== 0) {
    if (Date.now() > deadline) throw new Error(`${net.link} did not appear (systemd-nspawn ${nspawnPid} --network-veth)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const args of [
    ['addr', 'replace', `${net.hostAddress}/30`, 'dev', net.link],
    ['link', 'set', net.link, 'up'],
  ]) {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  }
  const logFd = openSync(join(http.logDir, 'http-private.log'), 'a');
  const child = spawn('python3', ['-m', 'http.server', '--bind', net.hostAddress, '--directory', http.dir, String(http.port)], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  child.unref();
  return child.pid!;
}

/** Stops the listener; the veth pair (and so its address) went with the node's namespace, and is deleted if it did not. */
export function releaseHostSide(net: PrivateNetwork): void {
  if (net.httpPid) {
    try {
      process.kill(net.httpPid, 'SIGKILL');
    } catch {
      // already gone
    }
    net.httpPid = undefined;
  }
  if (spawnSync('ip', ['link', 'show', net.link]).status === 0) spawnSync('ip', ['link', 'del', net.link]);
}
