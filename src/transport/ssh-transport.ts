import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NodeSSH } from 'node-ssh';
import { TransportError } from '../core/errors.js';
import type { ConnectionSpec } from '../inventory/connection.js';
import { KnownHosts, keyType } from './known-hosts.js';
import { type RawExec, ScriptTransport } from './script-transport.js';
import type { RunResult } from './transport.js';

export interface SshOptions {
  knownHostsFile?: string;
  acceptNewHostKeys?: boolean;
  connectTimeoutMs?: number;
  becomePassword?: string;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * One SSH connection per host, reused for every script of the run. The host key is checked
 * against known_hosts before anything is sent; an unknown key is refused unless
 * `acceptNewHostKeys` (OpenSSH's accept-new), a changed key always.
 */
export class SshTransport extends ScriptTransport {
  private constructor(host: string, private readonly ssh: NodeSSH, spec: ConnectionSpec, password?: string) {
    super(host, spec.become ? { user: spec.becomeUser, password } : undefined);
  }

  static async connect(host: string, spec: ConnectionSpec, opts: SshOptions = {}): Promise<SshTransport> {
    const known = new KnownHosts(opts.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts'));
    let refusal: string | undefined;
    const keys = privateKeys(spec, host);
    const ssh = new NodeSSH();
    // As ssh: the inventory's user, else the local one.
    const username = spec.user ?? process.env.USER ?? 'root';
    try {
      await ssh.connect({
        host: spec.address,
        port: spec.port,
        username,
        readyTimeout: opts.connectTimeoutMs ?? 10_000,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        agent: process.env.SSH_AUTH_SOCK,
        authHandler: [
          ...keys.map((key) => ({ type: 'publickey' as const, username, key })),
          ...(process.env.SSH_AUTH_SOCK ? [{ type: 'agent' as const, username, agent: process.env.SSH_AUTH_SOCK }] : []),
        ] as never,
        hostVerifier: (key: Buffer) => {
          const verdict = known.verify(spec.address, spec.port, key);
          if (verdict.ok) return true;
          if (verdict.reason === 'unknown' && opts.acceptNewHostKeys) {
            known.add(spec.address, spec.port, key);
            return true;
          }
          refusal = verdict.reason === 'unknown'
            ? `host key of ${spec.address}:${spec.port} (${keyType(key)}) is not in ${known.file}: add it (ssh-keyscan) or pass --accept-new-host-keys`
            : `HOST KEY ${verdict.reason.toUpperCase()} for ${spec.address}:${spec.port}: the ${keyType(key)} key differs from ${known.file}; refusing to connect (someone may be intercepting, or the host was rebuilt)`;
          return false;
        },
      });
    } catch (e) {
      ssh.dispose();
      const message = refusal ?? (e as Error).message;
      throw new TransportError(`cannot connect to ${host} (${spec.address}:${spec.port}): ${message}`, { host, cause: e });
    }
    // A dropped connection must become a failed result, never an unhandled 'error' that ends the process.
    ssh.connection?.on('error', () => {});
    return new SshTransport(host, ssh, spec, opts.becomePassword ?? spec.becomePassword);
  }

  protected exec: RawExec = async (command, stdin, timeoutMs): Promise<RunResult> => {
    let timer: NodeJS.Timeout | undefined;
    const run = (this.ssh.execCommand(command, { stdin, noTrim: true } as never) as Promise<{ code: number | null; stdout: string; stderr: string }>)
      .catch((e) => {
        throw new TransportError(`lost the connection to ${this.host}: ${(e as Error).message}`, { host: this.host, cause: e });
      });
    const timeout = new Promise<never>((_, reject) => {
      if (timeoutMs) timer = setTimeout(() => reject(new TransportError(`no answer from ${this.host} within ${timeoutMs} ms`, { host: this.host })), timeoutMs);
    });
    try {
      const r = await Promise.race([run, timeout]);
      return { code: r.code ?? 255, stdout: r.stdout, stderr: r.stderr };
    } finally {
      clearTimeout(timer);
    }
  };

  async close(): Promise<void> {
    this.ssh.dispose();
  }
}

function privateKeys(spec: ConnectionSpec, host: string): string[] {
  if (spec.privateKeyFile) {
    const path = spec.privateKeyFile.replace(/^~(?=\/)/, homedir());
    try {
      return [readFileSync(path, 'utf8')];
    } catch {
      throw new TransportError(`cannot read private key ${path} (ansible_ssh_private_key_file of ${host})`, { host });
    }
  }
  return DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).filter(existsSync).map((p) => readFileSync(p, 'utf8'));
}
