import { UsageError } from '../../core/errors.js';
import { resolveHosts } from '../../engine/prepare.js';
import { restoreRun } from '../../engine/restore.js';
import { DEFAULT_BACKUP_ROOT } from '../../engine/run.js';
import { parseExtraVars } from '../../inventory/extra-vars.js';
import { type ConnectOptions, connector } from '../connect.js';
import { formatRecap } from '../reporters/recap.js';
import { reporting } from '../reporters/reporting.js';

export interface RestoreOptions extends ConnectOptions {
  inventory: string[];
  limit: string;
  run: string;
  extraVars?: string[];
  report?: string;
  progress?: 'auto' | 'listr' | 'plain';
}

/** `provision restore --limit H --run RUN-ID`: the files that run replaced, put back. */
export async function restoreCommand(opts: RestoreOptions): Promise<number> {
  if (!/^[0-9TZ]+-[0-9a-f]{6}$/.test(opts.run)) throw new UsageError(`--run takes a run id as printed at the end of a run (e.g. 20261122T104800Z-1a2b3c), got "${opts.run}"`);
  const hosts = resolveHosts({ inventory: opts.inventory, limit: opts.limit, extraVars: parseExtraVars(opts.extraVars ?? []) });
  const connect = await connector(opts);
  const { report, listener, finish, outcome } = reporting(hosts.map((h) => h.host), opts);
  const summary = await restoreRun(hosts, opts.run, { connect, listener, backupRoot: DEFAULT_BACKUP_ROOT });
  await finish();
  process.stdout.write(`\n${formatRecap(summary.stats)}${outcome()}`);
  if (opts.report) report.write(opts.report, summary.stats, { restoredRun: opts.run });
  return summary.exitCode;
}
