import { DEFAULT_FORKS } from '../../core/constants.js';
import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { parseExtraVars } from '../../inventory/extra-vars.js';
import type { PreparedRun, TransportFactory } from '../../plan/model.js';
import { prepareRun } from '../../plan/prepare.js';
import { type ConnectOptions, connector } from '../connect.js';

/** The options of the commands that read the fleet and change nothing (preflight, verify). */
export interface ReadOnlyFleetOptions extends ConnectOptions {
  inventory: string[];
  limit?: string;
  role?: string[];
  extraVars?: string[];
  forks?: string;
}

/** The selected hosts, checked before any connection, and how to reach them, `forks` at a time. */
export async function readOnlyFleet(opts: ReadOnlyFleetOptions): Promise<{ prepared: PreparedRun; connect: TransportFactory; forks: number }> {
  const forks = opts.forks === undefined ? DEFAULT_FORKS : Number(opts.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive integer, got "${opts.forks}"`);
  const prepared = prepareRun({ inventory: opts.inventory, limit: opts.limit, roles: opts.role ?? [], extraVars: parseExtraVars(opts.extraVars ?? []) });
  return { prepared, connect: await connector(opts), forks };
}

/** 4 when a host was unreachable (it wins, as in a run), 2 when one did not pass, else 0. */
export function rowsExitCode(rows: { result: string }[], notPassed: string): number {
  if (rows.some((r) => r.result === 'unreachable')) return ExitCode.unreachable;
  return rows.some((r) => r.result === notPassed) ? ExitCode.hostFailed : ExitCode.ok;
}
