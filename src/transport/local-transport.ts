import { spawn } from 'node:child_process';
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

  async close(): Promise<void> {}
}
