import { writeFileSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import type { Listener } from '../../core/events.js';
import { prepareRun } from '../../engine/prepare.js';
import { runPlan, type TransportFactory } from '../../engine/run.js';
import { parseExtraVars } from '../../inventory/extra-vars.js';
import { LocalTransport } from '../../transport/local-transport.js';
import { SshTransport } from '../../transport/ssh-transport.js';
import { promptSecret } from '../prompt.js';
import { JsonReport } from '../reporters/json-report.js';
import { listrReporter } from '../reporters/listr-reporter.js';
import { deferredDetails, plainReporter } from '../reporters/plain-reporter.js';
import { formatRecap } from '../reporters/recap.js';

export interface ApplyOptions {
  inventory: string[];
  limit?: string;
  role?: string[];
  extraVars?: string[];
  check?: boolean;
  diff?: boolean;
  forks?: string;
  report?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  askBecomePass?: boolean;
  connectTimeout?: string;
  verbose?: boolean;
  progress?: 'auto' | 'listr' | 'plain';
  serial?: string;
  maxFailPercentage?: string;
  retryFile?: string;
}

/** `provision -i INV [--limit P] [--role R]`: gather, plan and apply; returns the exit code. */
export async function applyCommand(opts: ApplyOptions): Promise<number> {
  const forks = opts.forks === undefined ? 20 : Number(opts.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive integer, got "${opts.forks}"`);
  const connectTimeoutMs = 1000 * Number(opts.connectTimeout ?? 10);
  const serial = opts.serial === undefined ? undefined : opts.serial.split(',').map((s) => s.trim());
  const maxFailPercentage = opts.maxFailPercentage === undefined ? undefined : Number(opts.maxFailPercentage);
  if (maxFailPercentage !== undefined && !(maxFailPercentage >= 0 && maxFailPercentage <= 100)) {
    throw new UsageError(`--max-fail-percentage must be a number from 0 to 100, got "${opts.maxFailPercentage}"`);
  }
  if (!(connectTimeoutMs > 0)) throw new UsageError(`--connect-timeout must be a number of seconds, got "${opts.connectTimeout}"`);

  // Everything is checked before the first connection.
  const prepared = prepareRun({ inventory: opts.inventory, limit: opts.limit, roles: opts.role ?? [], extraVars: parseExtraVars(opts.extraVars ?? []) });
  const becomePassword = process.env.PROVISION_BECOME_PASSWORD ?? (opts.askBecomePass ? await promptSecret('BECOME password: ') : undefined);

  const connect: TransportFactory = async (host, spec) => {
    const password = spec.becomePassword ?? becomePassword;
    if (spec.type === 'local') return new LocalTransport(host, spec.become ? { user: spec.becomeUser, password } : undefined);
    return SshTransport.connect(host, spec, {
      knownHostsFile: opts.knownHosts, acceptNewHostKeys: opts.acceptNewHostKeys, connectTimeoutMs, becomePassword: password,
    });
  };

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(99);
    interrupted = true;
    process.stderr.write('\ninterrupted: finishing running tasks, starting no new ones (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);

  const report = new JsonReport();
  const hosts = prepared.hosts.map((h) => h.host);
  const useListr = opts.progress === 'listr' || (opts.progress !== 'plain' && process.stdout.isTTY && !process.env.CI);
  const progress = useListr ? listrReporter(hosts) : undefined;
  const deferred = progress ? deferredDetails() : undefined;
  const details: Listener = deferred?.listener ?? plainReporter((line) => process.stdout.write(line), { verbose: opts.verbose });
  const listener: Listener = (e) => {
    report.listener(e);
    progress?.listener(e);
    details(e);
  };

  try {
    const summary = await runPlan(prepared, { check: opts.check, diff: opts.diff, forks, connect, listener, interrupted: () => interrupted, serial, maxFailPercentage });
    if (progress) {
      progress.finish();
      await progress.done;
      deferred?.flush((text) => process.stdout.write(text));
    }
    process.stdout.write(`\n${formatRecap(summary.stats, summary.notStarted)}`);
    if (opts.check) process.stdout.write('check mode: nothing was changed\n');
    process.stdout.write(`run ${summary.runId}: replaced files are kept on each node under /var/backups/provision/${summary.runId}/\n`);
    if (summary.aborted) process.stdout.write(`rollout stopped: a batch failed beyond the failure budget; not started: ${summary.notStarted.join(', ')}\n`);
    if (opts.report) report.write(opts.report, summary.stats, { runId: summary.runId, check: !!opts.check, notStarted: summary.notStarted });
    const retry = Object.entries(summary.stats).filter(([, s]) => s.failed || s.unreachable).map(([h]) => h);
    if (retry.length && opts.retryFile) {
      writeFileSync(opts.retryFile, retry.join('\n') + '\n');
      process.stdout.write(`to retry the failed and unreachable hosts: --limit @${opts.retryFile}\n`);
    }
    return summary.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
