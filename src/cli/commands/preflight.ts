import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { prepareRun } from '../../plan/prepare.js';
import { type PreflightRow, preflightFleet } from '../../rollout/preflight.js';
import { parseExtraVars } from '../../inventory/extra-vars.js';
import { type ConnectOptions, connector } from '../connect.js';
import { out, shownText } from '../terminal-text.js';

export interface PreflightOptions extends ConnectOptions {
  inventory: string[];
  limit?: string;
  role?: string[];
  extraVars?: string[];
  forks?: string;
}

/** `provision preflight`: read-only; exit 0 when every host may be migrated, 2 when one is refused, 4 when one is unreachable. */
export async function preflightCommand(opts: PreflightOptions): Promise<number> {
  const forks = opts.forks === undefined ? 20 : Number(opts.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new UsageError(`--forks must be a positive integer, got "${opts.forks}"`);
  const prepared = prepareRun({ inventory: opts.inventory, limit: opts.limit, roles: opts.role ?? [], extraVars: parseExtraVars(opts.extraVars ?? []) });
  const rows = await preflightFleet(prepared, { connect: await connector(opts), forks });
  out(formatPreflightTable(rows));
  if (rows.some((r) => r.result === 'unreachable')) return ExitCode.unreachable;
  return rows.some((r) => r.result === 'refused') ? ExitCode.hostFailed : ExitCode.ok;
}

export function formatPreflightTable(rows: PreflightRow[]): string {
  const head = ['HOST', 'DOCKER', 'KUBELET', 'CRI-DOCKERD', 'RESULT'];
  // Shown before padding, so that a node's escaped text keeps the columns aligned.
  const cells = rows.map((r) => [r.host, r.docker, r.kubelet, r.criDockerd ? 'yes' : 'no', r.result].map(shownText));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `${c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}\n`;
  const problems = rows.flatMap((r) => r.problems.map((p) => `${r.host}: ${p}\n`));
  const notes = rows.flatMap((r) => r.notes.map((n) => `${r.host}: note: ${n}\n`));
  return line(head) + cells.map(line).join('') + (problems.length ? `\n${problems.join('')}` : '') + (notes.length ? `\n${notes.join('')}` : '');
}
