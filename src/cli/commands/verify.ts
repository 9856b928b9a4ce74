import { type VerifyRow, verifyFleet } from '../../rollout/verify-hosts.js';
import { type ReadOnlyFleetOptions, readOnlyFleet, rowsExitCode } from './read-only-fleet.js';
import { out } from '../terminal-text.js';

export type VerifyOptions = ReadOnlyFleetOptions;

/** `provision verify`: changes nothing; exit 0 when every host passes, 2 when one fails, 4 when one is unreachable. */
export async function verifyCommand(opts: VerifyOptions): Promise<number> {
  const { prepared, connect, forks } = await readOnlyFleet(opts);
  const rows = await verifyFleet(prepared, { connect, forks });
  out(formatVerifyTable(rows));
  return rowsExitCode(rows, 'failed');
}

/** One line per host, then each host's lines (failures, or what was proven), prefixed with its name. */
export function formatVerifyTable(rows: VerifyRow[]): string {
  const width = Math.max(4, ...rows.map((r) => r.host.length));
  const head = `${'HOST'.padEnd(width)}  RESULT\n${rows.map((r) => `${r.host.padEnd(width)}  ${r.result}\n`).join('')}`;
  const lines = rows.flatMap((r) => r.lines.map((l) => `${r.host}: ${l}\n`));
  return head + (lines.length ? `\n${lines.join('')}` : '');
}
