import { spawn } from 'node:child_process';
import type { RunResult } from '../transport/transport.js';

/** Runs an operator's command (kubectl drain, uncordon) on the controller, through the shell. */
export function runOnController(command: string, timeoutMs = 30 * 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    // Its own process group: a Ctrl-C at the terminal lets a running drain finish (the first one
    // only stops new work; see src/cli/interrupt.ts).
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: e.message }));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** The last lines of a controller command's answer: enough to say why, short enough for one recap line. */
export const lastLines = (text: string, n: number) => text.trim().split('\n').slice(-n).join('\n');

/** Why a controller command failed, in one recap entry: the command, its exit code and its last lines. */
export const commandFailure = (command: string, r: RunResult) => `${command}: exit ${r.code}: ${lastLines(r.stderr || r.stdout, 5)}`;
