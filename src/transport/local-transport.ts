import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { TransportError } from '../core/errors.js';
import type { RunResult } from './transport.js';
import { type BecomeOptions, ScriptTransport } from './script-transport.js';

/** Runs on this machine (ansible_connection=local). */
export class LocalTransport extends ScriptTransport {
  constructor(host = 'localhost', become?: BecomeOptions) {
    super(host, become);
  }

  protected exec = (command: string, stdin: string, timeoutMs?: number, onStdout?: (chunk: string) => void): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        stdout += d;
        onStdout?.(d);
      });
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
    });

  /** Connects to the socket directly, as this process's user (become does not apply to a socket). */
  openUnixSocket(path: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path, allowHalfOpen: true });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(socket);
      });
      socket.once('error', (e) => reject(new TransportError(`cannot open the socket ${path} on ${this.host}: ${e.message}`, { host: this.host, cause: e })));
    });
  }

  async close(): Promise<void> {}
}
