import { resolve } from 'node:path';
import { newRunId } from '../../core/run-id.js';
import type { PreparedRun } from '../../plan/model.js';
import { Journal, journalDir, resumePlan, type Selection, selectionKey } from '../../rollout/journal.js';
import { hostRanges } from '../reporters/host-ranges.js';

export interface JournalOptions {
  inventory: string[];
  limit?: string;
  role?: string[];
  tags?: string[];
  skipTags?: string[];
  extraVars?: string[];
  check?: boolean;
  /** --resume [RUN_ID]: true for the latest run of this selection. */
  resume?: string | boolean;
  retryFailed?: boolean;
}

/**
 * The run's journal: a new one, or with --resume the run it continues (its id, the hosts it has
 * left, those it left drained). Check mode changes nothing and keeps no journal.
 */
export function openJournal(
  opts: JournalOptions,
  prepared: PreparedRun,
  strategy: string,
): { runId: string; prepared: PreparedRun; journal?: Journal; resumeDrained?: Set<string>; note?: string } {
  const selection: Selection = {
    inventory: opts.inventory.map((i) => (i.includes(',') ? i : resolve(i))),
    ...(opts.limit ? { limit: opts.limit } : {}),
    roles: [...(opts.role ?? []), ...(opts.tags ?? []), ...(opts.skipTags ?? []).map((t) => `!${t}`)],
    extraVars: opts.extraVars ?? [],
  };
  const dir = journalDir();
  if (opts.resume === undefined || opts.resume === false) {
    const runId = newRunId();
    if (opts.check) return { runId, prepared };
    const journal = Journal.begin(dir, {
      runId,
      key: selectionKey(selection),
      selection,
      startedAt: new Date().toISOString(),
      strategy,
      // Filled in as waves start (one wave, or a window: every host).
      waves: [prepared.hosts.map((h) => h.host)],
    });
    return { runId, prepared, journal };
  }
  const journal = Journal.resume(dir, selection, opts.resume === true ? undefined : opts.resume);
  const plan = resumePlan(journal.data, !!opts.retryFailed);
  const skip = new Set([...plan.done, ...plan.failed]);
  const notes = [
    `resuming run ${journal.data.runId}`,
    plan.done.length ? `done, skipped: ${hostRanges(plan.done.sort(), 10)}` : '',
    plan.failed.length ? `failed, not retried (--retry-failed retries them): ${hostRanges(plan.failed.sort(), 10)}` : '',
    plan.drained.size ? `left drained, not drained again: ${hostRanges([...plan.drained].sort(), 10)}` : '',
  ].filter(Boolean);
  return {
    runId: journal.data.runId,
    prepared: { ...prepared, hosts: prepared.hosts.filter((h) => !skip.has(h.host)) },
    journal,
    resumeDrained: plan.drained,
    note: `${notes.join('; ')}\n`,
  };
}
