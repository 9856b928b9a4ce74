import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeListenPort } from '../fleet/ports.js';

/** The sshd_config of a test's own sshd: key login as root only, its own host key, pid file and authorized keys. */
export function sshdConfig(o: {
  port: number;
  address: string;
  hostKey: string | string[];
  pidFile: string;
  authorizedKeys: string;
  extra?: string[];
}): string {
  return [
    `Port ${o.port}`,
    `ListenAddress ${o.address}`,
    ...[o.hostKey].flat().map((k) => `HostKey ${k}`),
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    ...(o.extra ?? []),
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** A real OpenSSH server on loopback, started by the test with its own host key and config. */
export class TestSshd {
  readonly dir = mkdtempSync(join(tmpdir(), 'provision-sshd-'));
  port = 0;
  log = '';
  private child?: ChildProcess;

  /** `hostKeyTypes`: the host keys it has (ssh-keygen -t), the first being `hostKeyPub`. */
  constructor(private readonly hostKeyTypes: string[] = ['ed25519']) {}

  get hostKeyPub(): string {
    return this.hostKeyPubOf(this.hostKeyTypes[0]!);
  }

  /** `type base64` of its host key of an ssh-keygen type (ed25519, ecdsa, rsa). */
  hostKeyPubOf(type: string): string {
    return readFileSync(join(this.dir, `host_${type}.pub`), 'utf8')
      .trim()
      .split(' ')
      .slice(0, 2)
      .join(' ');
  }

  get clientKey(): string {
    return join(this.dir, 'client_ed25519');
  }

  async start(): Promise<void> {
    const keygen = (file: string, type = 'ed25519') => spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(this.dir, file)]);
    for (const type of this.hostKeyTypes) keygen(`host_${type}`, type);
    keygen('client_ed25519');
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.clientKey}.pub`));
    this.port = await freeListenPort();
    writeFileSync(
      join(this.dir, 'sshd_config'),
      sshdConfig({
        port: this.port,
        address: '127.0.0.1',
        hostKey: this.hostKeyTypes.map((t) => join(this.dir, `host_${t}`)),
        pidFile: join(this.dir, 'sshd.pid'),
        authorizedKeys: join(this.dir, 'authorized_keys'),
      }),
    );
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    this.child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(this.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d) => (this.log += d));
    for (let i = 0; i < 100; i++) {
      if (await canConnect('127.0.0.1', this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sshd did not start: ${this.log}`);
  }

  /** A known_hosts file holding this server's real key, or whatever lines are given. */
  knownHosts(lines?: string[]): string {
    const file = join(mkdtempSync(join(this.dir, 'kh-')), 'known_hosts');
    const [type, key] = this.hostKeyPub.split(' ');
    writeFileSync(file, `${(lines ?? [`[127.0.0.1]:${this.port} ${type} ${key}`]).join('\n')}\n`);
    return file;
  }

  stop(): void {
    this.child?.kill('SIGKILL');
  }
}

/** Whether something accepts a TCP connection at host:port now. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
