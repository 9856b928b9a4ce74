import { writeReportFile } from './report-file.js';
import type { HostStats, Listener, TaskResult } from '../../core/events.js';

/**
 * `--report FILE`: `{summary: {host: stats}, tasks: [{host, role, task, status, start, end, diff?, error?}],
 * waves: [{index, of, hosts, start}], gates: [{name, passed, answer, waitedMs, after, at}],
 * pauses: [{after, goOn, reason, at}], hosts: {host: {start, end}}}`; times are ms since the run began.
 */
export class JsonReport {
  readonly tasks: Record<string, unknown>[] = [];
  /** Scripts run on each host (SSH command executions), facts and changes together. */
  readonly roundTrips: Record<string, number> = {};
  readonly waves: { index: number; of: number; hosts: string[]; start: number }[] = [];
  readonly hosts: Record<string, { start: number; end?: number }> = {};
  /** Health gates checked between waves (window: after hosts), and pauses, in the order they came. */
  readonly gates: { name: string; passed: boolean; answer: string; waitedMs: number; after: string[]; at: number }[] = [];
  readonly pauses: { after: number; goOn: boolean; reason: string; at: number }[] = [];
  private readonly began = Date.now();
  private readonly taskStart = new Map<string, number>();

  private now = () => Date.now() - this.began;

  listener: Listener = (e) => {
    if (e.type === 'wave-start') this.waves.push({ index: e.index, of: e.of, hosts: e.hosts, start: this.now() });
    if (e.type === 'gate') this.gates.push({ name: e.name, passed: e.passed, answer: e.answer, waitedMs: e.waitedMs, after: e.after, at: this.now() });
    if (e.type === 'pause') this.pauses.push({ after: e.after, goOn: e.goOn, reason: e.reason, at: this.now() });
    if (e.type === 'host-start') this.hosts[e.host] = { start: this.now() };
    if (e.type === 'task-start') this.taskStart.set(e.host, this.now());
    if (e.type === 'host-end') {
      if (e.roundTrips !== undefined) this.roundTrips[e.host] = e.roundTrips;
      if (this.hosts[e.host]) this.hosts[e.host]!.end = this.now();
    }
    if (e.type === 'task-result') {
      this.tasks.push({ ...taskRecord(e), start: this.taskStart.get(e.host) ?? this.now(), end: this.now() });
      this.taskStart.delete(e.host);
    }
    if (e.type === 'host-unreachable')
      this.tasks.push({
        host: e.host,
        role: null,
        task: null,
        status: 'unreachable',
        error: e.error,
        start: this.hosts[e.host]?.start ?? this.now(),
        end: this.now(),
      });
  };

  body(summary: Record<string, HostStats>, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      ...extra,
      startedAt: new Date(this.began).toISOString(),
      summary,
      roundTrips: this.roundTrips,
      waves: this.waves,
      gates: this.gates,
      pauses: this.pauses,
      hosts: this.hosts,
      tasks: this.tasks,
    };
  }

  write(file: string, summary: Record<string, HostStats>, extra: Record<string, unknown> = {}): void {
    writeReportFile(file, `${JSON.stringify(this.body(summary, extra), null, 2)}\n`);
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
