import { spawnSync } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as a user would. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    input: opts.input ?? '',
    // Generous: a serial rollout of several nodes takes about a minute on 2 cores, more when the machine is busy.
    timeout: opts.timeoutMs ?? 300_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
