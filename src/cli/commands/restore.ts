import { BACKUP_ROOT } from '../../core/constants.js';
import { UsageError } from '../../core/errors.js';
import { isRunId } from '../../core/run-id.js';
import { prepareAllRoles } from '../../plan/prepare.js';
import { restoreRun } from '../../rollout/restore.js';
import { parseExtraVars } from '../../inventory/extra-vars.js';
import { type ConnectionFlags, connectionDefaults } from '../../config/cli-settings.js';
import { type ConnectOptions, connector } from '../connect.js';
import { formatRecap } from '../reporters/recap.js';
import { reporting } from '../reporters/reporting.js';
import { cliInterrupts } from '../interrupt.js';
import { out } from '../terminal-text.js';

export interface RestoreOptions extends ConnectOptions, ConnectionFlags {
  inventory: string[];
  limit: string;
  run: string;
  extraVars?: string[];
  report?: string;
  progress?: 'auto' | 'listr' | 'plain';
}

/** `provision restore --limit H --run RUN-ID`: the files that run replaced, put back. */
export async function restoreCommand(opts: RestoreOptions): Promise<number> {
  if (!isRunId(opts.run)) throw new UsageError(`--run takes a run id as printed at the end of a run (e.g. 20261122T104800Z-1a2b3c), got "${opts.run}"`);
  // An empty pattern would select every host: restoring a whole fleet must be asked for by name.
  if (!opts.limit.trim()) throw new UsageError('restore needs a non-empty --limit naming the hosts to restore (use --limit all for every host)');
  const hosts = prepareAllRoles({
    inventory: opts.inventory,
    limit: opts.limit,
    extraVars: parseExtraVars(opts.extraVars ?? []),
    connectionDefaults: connectionDefaults(opts),
  });
  const connect = await connector(opts);
  const { report, listener, finish, outcome } = await reporting(
    hosts.map((h) => h.host),
    opts,
  );
  const interrupts = cliInterrupts(finish);
  process.on('SIGINT', interrupts.onSignal);
  let summary: Awaited<ReturnType<typeof restoreRun>>;
  try {
    summary = await restoreRun(hosts, opts.run, {
      connect,
      listener: (e) => {
        interrupts.listener(e);
        listener(e);
      },
      backupRoot: BACKUP_ROOT,
      interrupted: interrupts.interrupted,
    });
  } finally {
    process.off('SIGINT', interrupts.onSignal);
  }
  await finish();
  out(`\n${formatRecap(summary.stats)}${outcome()}`);
  if (opts.report) report.write(opts.report, summary.stats, { restoredRun: opts.run });
  return summary.exitCode;
}
