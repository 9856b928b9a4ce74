/** What the engine tells its subscribers (listr2, plain lines, JSON report, tests). */
/** `unknown`: the connection was lost while the task's changes were being applied; the next run finds out. */
export type TaskStatus = 'ok' | 'changed' | 'skipped' | 'failed' | 'unknown';

export interface FileDiff {
  path: string;
  before: string;
  after: string;
}

export interface TaskResult {
  host: string;
  role: string;
  task: string;
  handler: boolean;
  status: TaskStatus;
  /** One line per change made (or, in check mode, that would be made). */
  changes: string[];
  /** Why nothing changed, or why the task was skipped. */
  reason?: string;
  diffs?: FileDiff[];
  error?: string;
}

export interface HostStats {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: number;
  /** Tasks whose outcome is unknown (connection lost while applying): at most one per host. */
  unknown: number;
}

export type RunEvent =
  | { type: 'wave-start'; index: number; of: number; hosts: string[] }
  /** provision_strategy window: at most `width` of `of` hosts in flight. */
  | { type: 'window-start'; width: number; of: number }
  /** A host's rollout state as it changes (src/rollout/host-steps.ts): what the journal records. */
  | { type: 'host-state'; host: string; state: HostState }
  /** A health gate checked after a wave (window: after a host); `waitedMs` counts its retries. */
  | { type: 'gate'; name: string; passed: boolean; answer: string; waitedMs: number; after: string[] }
  /** The rollout paused after a wave (provision_pause_after, --step): whether it goes on. */
  | { type: 'pause'; after: number; goOn: boolean; reason: string }
  | { type: 'host-start'; host: string }
  | { type: 'task-start'; host: string; role: string; task: string; handler: boolean }
  | ({ type: 'task-result' } & TaskResult)
  | { type: 'host-unreachable'; host: string; error: string }
  | { type: 'host-end'; host: string; stats: HostStats; notStarted?: boolean; roundTrips?: number };

export type HostState = 'drained' | 'applied' | 'verified' | 'uncordoned' | 'done' | 'failed';

export type Listener = (event: RunEvent) => void;

export const emptyStats = (): HostStats => ({ ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, unknown: 0 });

/** Counts a task result in its host's stats and tells the subscribers; false when it failed. */
export function reportResult(stats: HostStats, listener: Listener, result: TaskResult): boolean {
  stats[result.status]++;
  listener({ type: 'task-result', ...result });
  return result.status !== 'failed';
}
