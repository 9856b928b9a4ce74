import type { HostStats, Listener } from '../core/events.js';
import type { Vars } from '../inventory/inventory.js';
import { UsageError } from '../core/errors.js';
import type { Strategy } from './scheduler.js';

/**
 * Asks the operator whether to go on after wave `after` (window: after that many hosts), showing
 * what was done so far; resolves to go on, or to why not. The CLI asks y/N on a terminal.
 */
export type PauseAsk = (at: { after: number; strategy: Strategy; stats: Record<string, HostStats> }) => Promise<{ goOn: boolean; reason: string }>;

/** `provision_pause_after: N` (the wave, or for a window the count of hosts finished) or --step (every one). */
export async function pauseAt(
  index: number,
  strategy: Strategy,
  opts: { step?: boolean; pause?: PauseAsk },
  vars: Vars,
  listener: Listener,
  stats: Record<string, HostStats>,
): Promise<string | undefined> {
  const after = pauseAfter(vars.provision_pause_after);
  if (!(opts.step || after === index)) return undefined;
  const answer = opts.pause ? await opts.pause({ after: index, strategy, stats: { ...stats } }) : { goOn: false, reason: 'nobody to ask' };
  listener({ type: 'pause', after: index, goOn: answer.goOn, reason: answer.reason });
  const what = strategy === 'window' ? `${index} hosts` : `wave ${index}`;
  return answer.goOn ? undefined : `paused after ${what}: ${answer.reason}`;
}

function pauseAfter(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`provision_pause_after must be a wave number (1 or more), got ${JSON.stringify(value)}`);
  return n;
}
