import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import { DEFAULT_CONNECT_TIMEOUT_S } from '../core/constants.js';
import { TransportError } from '../core/errors.js';
import type { ConnectionSpec } from '../inventory/connection.js';
import { KnownHosts, keyType } from './known-hosts.js';
import { parseJump, proxyJumpFromArgs, readSshConfig, type SshConfigFile } from './ssh-config.js';

export interface RouteOptions {
  knownHostsFile?: string;
  acceptNewHostKeys?: boolean;
  connectTimeoutMs?: number;
  sshConfig?: SshConfigFile;
}

/** One SSH connection of a route: the jump hosts in order, then the target. */
export interface Hop {
  /** How the user named it: the inventory host or the ProxyJump entry. */
  name: string;
  address: string;
  port: number;
  user: string;
  keyFiles: string[];
  useAgent: boolean;
  knownHostsFile: string;
  acceptNew: boolean;
  readyTimeoutMs: number;
  keepaliveMs: number;
  keepaliveCountMax: number;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => join(homedir(), '.ssh', k));

/**
 * Where and how to connect, as `ssh` would with Ansible's options: the inventory's
 * ansible_host/port/user/key first, then the ssh_config `Host` blocks matching ansible_host,
 * then defaults; flags (--known-hosts, --accept-new-host-keys, -T) over ssh_config. Jump hosts
 * come from `-J`/`-o ProxyJump=` in ansible_ssh_common_args/extra_args, else from ProxyJump,
 * each resolved through ssh_config too and its host key checked like the target's.
 */
export function planRoute(spec: ConnectionSpec, opts: RouteOptions = {}): Hop[] {
  const fromArgs = /(?:^|\s)-F\s*['"]?([^\s'"]+)/.exec(spec.sshArgs ?? '')?.[1];
  const config = fromArgs ? readSshConfig(fromArgs) : (opts.sshConfig ?? readSshConfig());
  const localUser = process.env.USER ?? 'root';
  const hop = (name: string, given: { user?: string; port?: number; key?: string }): Hop => {
    const c = config.lookup(name);
    // As ssh: a missing IdentityFile from the config is skipped, a key given on purpose is not.
    const keyFiles = [...(given.key ? [given.key.replace(/^~(?=\/)/, homedir())] : []), ...c.identityFiles.filter(existsSync)];
    const strict = c.strictHostKeyChecking;
    return {
      name,
      address: c.hostName ?? name,
      port: given.port ?? c.port ?? 22,
      user: given.user ?? c.user ?? localUser,
      keyFiles: keyFiles.length || c.identitiesOnly ? keyFiles : DEFAULT_KEYS.filter(existsSync),
      useAgent: !c.identitiesOnly,
      knownHostsFile: opts.knownHostsFile ?? c.userKnownHostsFile ?? join(homedir(), '.ssh', 'known_hosts'),
      acceptNew: !!opts.acceptNewHostKeys || strict === 'accept-new' || strict === 'no',
      readyTimeoutMs: opts.connectTimeoutMs ?? 1000 * (c.connectTimeoutSec ?? DEFAULT_CONNECT_TIMEOUT_S),
      keepaliveMs: c.serverAliveIntervalSec ? c.serverAliveIntervalSec * 1000 : 15_000,
      keepaliveCountMax: c.serverAliveCountMax ?? 4,
    };
  };
  const target = hop(spec.address, { user: spec.user, port: spec.defaultPort ? undefined : spec.port, key: spec.privateKeyFile });
  const jumps = proxyJumpFromArgs(spec.sshArgs ?? '') ?? config.lookup(spec.address).proxyJump;
  if (!jumps || jumps.toLowerCase() === 'none') return [target];
  return [
    ...jumps.split(',').map((j) => {
      const { user, host: jumpHost, port } = parseJump(j.trim());
      return hop(jumpHost, { user, port });
    }),
    target,
  ];
}

/** Connects hop by hop, each next one through a forwarded channel of the one before. */
export async function openRoute(host: string, hops: Hop[]): Promise<NodeSSH[]> {
  const opened: NodeSSH[] = [];
  let sock: Duplex | undefined;
  for (const [i, hop] of hops.entries()) {
    const isTarget = i === hops.length - 1;
    const ssh = new NodeSSH();
    const known = new KnownHosts(hop.knownHostsFile);
    const hostKey = hostKeyCheck(known, hop);
    const agent = hop.useAgent ? process.env.SSH_AUTH_SOCK : undefined;
    const loaded = hop.keyFiles.map((file) => loadKey(file, host));
    const keys = loaded.flatMap((k) => (k.key ? [{ key: k.key, passphrase: k.passphrase }] : []));
    // Keys left out for a reason the user must hear about (loose permissions, a passphrase).
    const notes = loaded.flatMap((k) => (k.note ? [k.note] : []));
    if (keys.length === 0 && !agent && notes.length)
      throw new TransportError(`cannot connect to ${host} (${hop.address}:${hop.port}): ${notes.join('; ')}`, { host });
    const serverHostKey = known.hostKeyAlgorithms(hop.address, hop.port);
    try {
      await ssh.connect({
        host: hop.address,
        port: hop.port,
        sock,
        username: hop.user,
        readyTimeout: hop.readyTimeoutMs,
        keepaliveInterval: hop.keepaliveMs,
        keepaliveCountMax: hop.keepaliveCountMax,
        agent,
        ...(serverHostKey ? { algorithms: { serverHostKey } } : {}),
        authHandler: [
          ...keys.map((k) => ({ type: 'publickey' as const, username: hop.user, ...k })),
          ...(agent ? [{ type: 'agent' as const, username: hop.user, agent }] : []),
        ] as never,
        hostVerifier: hostKey.verify,
      });
    } catch (e) {
      ssh.dispose();
      for (const o of opened) o.dispose();
      const via = isTarget ? '' : ` through jump host ${hop.name}`;
      // The keys left out or not opened explain a failed login, nothing else.
      const authFailed = (e as { level?: string }).level === 'client-authentication';
      const message = hostKey.refusal() ?? [(e as Error).message, ...(authFailed ? notes : [])].join('; ');
      throw new TransportError(`cannot connect to ${host}${via} (${hop.address}:${hop.port}): ${message}`, { host, cause: e });
    }
    // A dropped connection must become a failed result, never an unhandled 'error' that ends the process.
    ssh.connection?.on('error', () => {});
    opened.push(ssh);
    const next = hops[i + 1];
    if (next) sock = await forward(ssh, host, hop, next);
  }
  return opened;
}

/** The hop's host key against known_hosts (a new one added with acceptNew), and why it was refused, if it was. */
function hostKeyCheck(known: KnownHosts, hop: Hop): { verify: (key: Buffer) => boolean; refusal: () => string | undefined } {
  let refusal: string | undefined;
  const verify = (key: Buffer) => {
    const verdict = known.verify(hop.address, hop.port, key);
    if (verdict.ok) return true;
    if (verdict.reason === 'unknown' && hop.acceptNew) {
      known.add(hop.address, hop.port, key);
      return true;
    }
    refusal =
      verdict.reason === 'unknown'
        ? `host key of ${hop.address}:${hop.port} (${keyType(key)}) is not in ${known.file}${otherTypes(known, hop, key)}: add it (ssh-keyscan) or pass --accept-new-host-keys`
        : `HOST KEY ${verdict.reason.toUpperCase()} for ${hop.address}:${hop.port}: the ${keyType(key)} key differs from ${known.file}; refusing to connect (someone may be intercepting, or the host was rebuilt)`;
    return false;
  };
  return { verify, refusal: () => refusal };
}

function forward(ssh: NodeSSH, host: string, via: Hop, to: Hop): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    ssh.connection!.forwardOut('127.0.0.1', 0, to.address, to.port, (err: Error | undefined, stream: Duplex) => {
      if (err)
        reject(
          new TransportError(`cannot connect to ${host}: jump host ${via.name} cannot reach ${to.address}:${to.port}: ${err.message}`, { host, cause: err }),
        );
      else resolve(stream);
    });
  });
}

function otherTypes(known: KnownHosts, hop: Hop, key: Buffer): string {
  const types = known.typesFor(hop.address, hop.port).filter((t) => t !== keyType(key));
  return types.length ? ` (it holds a key of another type, ${types.join(', ')}, which this server did not offer)` : '';
}

/**
 * A private key as OpenSSH would use it: one readable by group or others (and owned by us) is
 * ignored with OpenSSH's warning (sshkey_perm_ok); one protected by a passphrase is opened with
 * PROVISION_KEY_PASSPHRASE when set (as PROVISION_BECOME_PASSWORD gives sudo's), else left to the
 * ssh-agent, which holds it unlocked, as Ansible leaves it.
 */
function loadKey(file: string, host: string): { key?: string; passphrase?: string; note?: string } {
  let text: string;
  let mode: number;
  try {
    const st = statSync(file);
    mode = st.uid === process.getuid?.() ? st.mode & 0o777 : 0;
    text = readFileSync(file, 'utf8');
  } catch {
    throw new TransportError(`cannot read private key ${file} (ansible_ssh_private_key_file of ${host})`, { host });
  }
  if (mode & 0o077) {
    const octal = mode.toString(8).padStart(4, '0');
    return {
      note: `UNPROTECTED PRIVATE KEY FILE: permissions ${octal} for '${file}' are too open; it is required that your private key files are NOT accessible by others, so this key is ignored (chmod 600 ${file})`,
    };
  }
  if (isEncryptedKey(text)) {
    const passphrase = process.env.PROVISION_KEY_PASSPHRASE;
    if (passphrase) return { key: text, passphrase, note: `private key ${file} was not opened by the passphrase in PROVISION_KEY_PASSPHRASE, or not accepted` };
    return {
      note: `private key ${file} is protected by a passphrase: add it to your ssh-agent (ssh-add ${file}) and run with SSH_AUTH_SOCK set, or set PROVISION_KEY_PASSPHRASE`,
    };
  }
  return { key: text };
}

/** OpenSSH's own format names its cipher ("none" when unencrypted); PEM keys say Proc-Type ENCRYPTED. */
function isEncryptedKey(text: string): boolean {
  if (/^Proc-Type: 4,ENCRYPTED/m.test(text) || text.includes('BEGIN ENCRYPTED PRIVATE KEY')) return true;
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return false;
  const raw = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (raw.subarray(0, magic.length).toString('latin1') !== magic) return false;
  const len = raw.readUInt32BE(magic.length);
  return raw.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1') !== 'none';
}
