import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { parseExtraVars } from '../../inventory/extra-vars.js';
import { prepareRun } from '../../plan/prepare.js';
import { type VerifyRow, verifyFleet } from '../../rollout/verify-hosts.js';
import { type ConnectOptions, connector } from '../connect.js';
import { out } from '../terminal-text.js';

export interface VerifyOptions extends ConnectOptions {
  inventory: string[];
  limit?: string;
  role?: string[];
  extraVars?: string[];
  forks?: string;
}

/** `provision verify`: changes nothing; exit 0 when every host passes, 2 when one fails, 4 when one is unreachable. */
export async function verifyCommand(opts: VerifyOptions): Promise<number> {
  const forks = opts.forks === undefined ? 20 : Number(opts.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive integer, got "${opts.forks}"`);
  const prepared = prepareRun({ inventory: opts.inventory, limit: opts.limit, roles: opts.role ?? [], extraVars: parseExtraVars(opts.extraVars ?? []) });
  const rows = await verifyFleet(prepared, { connect: await connector(opts), forks });
  out(formatVerifyTable(rows));
  if (rows.some((r) => r.result === 'unreachable')) return ExitCode.unreachable;
  return rows.some((r) => r.result === 'failed') ? ExitCode.hostFailed : ExitCode.ok;
}

/** One line per host, then each host's lines (failures, or what was proven), prefixed with its name. */
export function formatVerifyTable(rows: VerifyRow[]): string {
  const width = Math.max(4, ...rows.map((r) => r.host.length));
  const head = `${'HOST'.padEnd(width)}  RESULT\n${rows.map((r) => `${r.host.padEnd(width)}  ${r.result}\n`).join('')}`;
  const lines = rows.flatMap((r) => r.lines.map((l) => `${r.host}: ${l}\n`));
  return head + (lines.length ? `\n${lines.join('')}` : '');
}
