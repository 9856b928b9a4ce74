import { type PreflightRow, preflightFleet } from '../../rollout/preflight.js';
import { type ReadOnlyFleetOptions, readOnlyFleet, rowsExitCode } from './read-only-fleet.js';
import { out, shownText } from '../terminal-text.js';

export type PreflightOptions = ReadOnlyFleetOptions & { disableEviction?: boolean };

/** `provision preflight`: read-only; exit 0 when every host may be migrated, 2 when one is refused, 4 when one is unreachable. */
export async function preflightCommand(opts: PreflightOptions): Promise<number> {
  const { prepared, connect, forks } = await readOnlyFleet(opts);
  const rows = await preflightFleet(prepared, { connect, forks, disableEviction: opts.disableEviction });
  out(formatPreflightTable(rows));
  return rowsExitCode(rows, 'refused');
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
