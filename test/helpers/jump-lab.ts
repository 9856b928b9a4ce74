import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, sshdConfig } from './sshd.js';

/**
 * A bastion and a target, each a real sshd in a network namespace of its own (made by this test,
 * removed by stop()): root ns <-> bastion ns on one veth pair, bastion ns <-> target ns on another.
 * The root namespace has no route to the target: it is reachable only through the bastion.
 */
export class JumpLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'provision-jump-'));
  private readonly tag = `pj${process.pid % 100000}`;
  readonly bastionNs = `${this.tag}-bastion`;
  readonly targetNs = `${this.tag}-target`;
  private readonly net = `10.213.${process.pid % 250}`;
  readonly bastionAddress = `${this.net}.2`;
  readonly targetAddress = `${this.net}.6`;
  private readonly children: ChildProcess[] = [];
  log = '';

  get clientKey(): string {
    return join(this.dir, 'client_ed25519');
  }

  hostKey(which: 'bastion' | 'target'): string {
    return readFileSync(join(this.dir, `${which}_host_ed25519.pub`), 'utf8')
      .trim()
      .split(' ')
      .slice(0, 2)
      .join(' ');
  }

  async start(): Promise<void> {
    const keygen = (file: string) => run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, file)]);
    keygen('client_ed25519');
    keygen('bastion_host_ed25519');
    keygen('target_host_ed25519');
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${this.clientKey}.pub`));
    const [a, b, c, d] = [`${this.tag}a`, `${this.tag}b`, `${this.tag}c`, `${this.tag}d`];
    const ip = (...args: string[]) => run('ip', args);
    ip('netns', 'add', this.bastionNs);
    ip('netns', 'add', this.targetNs);
    ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
    ip('link', 'set', b, 'netns', this.bastionNs);
    ip('addr', 'add', `${this.net}.1/30`, 'dev', a);
    ip('link', 'set', a, 'up');
    ip('-n', this.bastionNs, 'addr', 'add', `${this.bastionAddress}/30`, 'dev', b);
    ip('-n', this.bastionNs, 'link', 'set', b, 'up');
    ip('-n', this.bastionNs, 'link', 'add', c, 'type', 'veth', 'peer', 'name', d);
    ip('-n', this.bastionNs, 'link', 'set', d, 'netns', this.targetNs);
    ip('-n', this.bastionNs, 'addr', 'add', `${this.net}.5/30`, 'dev', c);
    ip('-n', this.bastionNs, 'link', 'set', c, 'up');
    ip('-n', this.targetNs, 'addr', 'add', `${this.targetAddress}/30`, 'dev', d);
    ip('-n', this.targetNs, 'link', 'set', d, 'up');
    // The root namespace's default route must not carry the target's address off this machine.
    ip('route', 'add', 'unreachable', `${this.net}.4/30`);
    for (const ns of [this.bastionNs, this.targetNs]) ip('-n', ns, 'link', 'set', 'lo', 'up');
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    this.sshd('bastion', this.bastionNs, this.bastionAddress);
    this.sshd('target', this.targetNs, this.targetAddress);
    await waitFor(
      () => canConnect(this.bastionAddress, 22),
      'bastion sshd',
      () => this.log,
    );
    await waitFor(
      async () => run('ip', ['netns', 'exec', this.bastionNs, 'bash', '-c', `exec 3<>/dev/tcp/${this.targetAddress}/22`], true),
      'target sshd',
      () => this.log,
    );
  }

  private sshd(name: string, ns: string, address: string): void {
    const cfg = join(this.dir, `${name}_sshd_config`);
    writeFileSync(
      cfg,
      sshdConfig({
        port: 22,
        address,
        hostKey: join(this.dir, `${name}_host_ed25519`),
        pidFile: join(this.dir, `${name}.pid`),
        authorizedKeys: join(this.dir, 'authorized_keys'),
        extra: ['AllowTcpForwarding yes'],
      }),
    );
    const child = spawn('ip', ['netns', 'exec', ns, '/usr/sbin/sshd', '-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => (this.log += `${name}: ${d}`));
    this.children.push(child);
  }

  stop(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of [this.bastionNs, this.targetNs]) spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', `${this.tag}a`]);
    spawnSync('ip', ['route', 'del', 'unreachable', `${this.net}.4/30`]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], quiet = false): boolean {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 && !quiet) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.status === 0;
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start: ${log()}`);
}
