import { chmodSync, writeFileSync } from 'node:fs';
import type { HostStats, Listener, TaskResult } from '../../core/events.js';

/** `--report FILE`: `{summary: {host: stats}, tasks: [{host, role, task, status, diff?, error?}]}`. */
export class JsonReport {
  readonly tasks: Record<string, unknown>[] = [];
  /** Scripts run on each host (SSH command executions), facts and changes together. */
  readonly roundTrips: Record<string, number> = {};

  listener: Listener = (e) => {
    if (e.type === 'host-end' && e.roundTrips !== undefined) this.roundTrips[e.host] = e.roundTrips;
    if (e.type === 'task-result') this.tasks.push(taskRecord(e));
    if (e.type === 'host-unreachable') this.tasks.push({ host: e.host, role: null, task: null, status: 'unreachable', error: e.error });
  };

  write(file: string, summary: Record<string, HostStats>, extra: Record<string, unknown> = {}): void {
    // Reports hold hosts, paths and diffs: readable by their owner only, also when the file existed.
    writeFileSync(file, JSON.stringify({ ...extra, summary, roundTrips: this.roundTrips, tasks: this.tasks }, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
}

function taskRecord(r: TaskResult): Record<string, unknown> {
  const out: Record<string, unknown> = { host: r.host, role: r.role, task: r.task, status: r.status };
  if (r.handler) out.handler = true;
  if (r.changes.length) out.changes = r.changes;
  if (r.reason) out.reason = r.reason;
  if (r.diffs?.length) out.diff = r.diffs;
  if (r.error) out.error = r.error;
  return out;
}
