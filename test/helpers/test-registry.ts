import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeListenPort } from '../fleet/ports.js';

/** Debian's real docker-registry (distribution 2.8) on a free loopback port, with a temporary store and config. */
export class TestRegistry {
  readonly dir = mkdtempSync(join(tmpdir(), 'provision-registry-'));
  port = 0;
  log = '';
  private child?: ChildProcess;

  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freeListenPort();
    const config = [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${this.dir}/store`,
      'http:',
      `  addr: ${this.hostPort}`,
      '',
    ];
    writeFileSync(join(this.dir, 'config.yml'), config.join('\n'));
    this.child = spawn('docker-registry', ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.log += d));
    this.child.stderr!.on('data', (d) => (this.log += d));
    for (let i = 0; i < 200; i++) {
      const ok = await fetch(`http://${this.hostPort}/v2/`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`docker-registry did not start: ${this.log.slice(-2000)}`);
  }

  /** Kills it and waits for it to be gone before removing its store (it could still be writing). */
  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGKILL');
      await gone;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const registryUnavailable = () =>
  spawnSync('sh', ['-c', 'command -v docker-registry']).status === 0 ? undefined : 'docker-registry missing (apt-get install docker-registry)';
