import { writeReportChunks } from './report-file.js';
import type { HostStats, Listener, TaskResult } from '../../core/events.js';
import { TaskColumns } from './task-columns.js';

/**
 * `--report FILE`: `{summary: {host: stats}, tasks: [{host, role, task, status, start, end, diff?, error?}],
 * waves: [{index, of, hosts, start}], gates: [{name, passed, answer, waitedMs, after, at}],
 * pauses: [{after, goOn, reason, at}], hosts: {host: {start, end}}}`; times are ms since the run began.
 * A run of 10,000 hosts reports half a million tasks: they are kept column by column (task-columns.ts), and
 * the file is written a slice of tasks at a time.
 */
export class JsonReport {
  private readonly tasks = new TaskColumns();
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
      this.tasks.push(e, this.taskStart.get(e.host) ?? this.now(), this.now());
      this.taskStart.delete(e.host);
    }
    if (e.type === 'host-unreachable') this.tasks.pushUnreachable(e.host, e.error, this.hosts[e.host]?.start ?? this.now(), this.now());
  };

  /** How many tasks the report holds: the index the next task result takes. */
  get taskCount(): number {
    return this.tasks.length;
  }

  /** A task of the report as the result it came as (the outcome reads the report's tasks, keeping no copy of its own). */
  result(i: number): TaskResult {
    const r = this.tasks.at(i);
    const t: TaskResult = {
      host: r.host,
      role: r.role ?? '',
      task: r.task ?? '',
      handler: !!r.handler,
      status: r.status as TaskResult['status'],
      changes: r.changes ?? [],
    };
    if (r.reason !== undefined) t.reason = r.reason;
    if (r.error !== undefined) t.error = r.error;
    if (r.diff !== undefined) t.diffs = r.diff;
    return t;
  }

  body(summary: Record<string, HostStats>, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...this.head(summary, extra), tasks: this.tasks.slice(0, this.tasks.length) };
  }

  write(file: string, summary: Record<string, HostStats>, extra: Record<string, unknown> = {}): void {
    writeReportChunks(file, this.chunks(summary, extra));
  }

  private head(summary: Record<string, HostStats>, extra: Record<string, unknown>): Record<string, unknown> {
    const { roundTrips, waves, gates, pauses, hosts } = this;
    return { ...extra, startedAt: new Date(this.began).toISOString(), summary, roundTrips, waves, gates, pauses, hosts };
  }

  /**
   * The text of `JSON.stringify(body, null, 2)`, in pieces: everything but the tasks, then the tasks a
   * slice at a time, so that no one string holds the whole report (over 100 MB at 10,000 hosts).
   */
  private *chunks(summary: Record<string, HostStats>, extra: Record<string, unknown>): Generator<string> {
    if (this.tasks.length === 0) {
      yield `${JSON.stringify(this.body(summary, extra), null, 2)}\n`;
      return;
    }
    const head = JSON.stringify({ ...this.head(summary, extra), tasks: [] }, null, 2);
    yield `${head.slice(0, head.lastIndexOf('[]'))}[\n`;
    for (let i = 0; i < this.tasks.length; i += TASKS_PER_CHUNK) {
      const slice = JSON.stringify(this.tasks.slice(i, i + TASKS_PER_CHUNK), null, 2);
      // The slice's own brackets off, its lines indented as the tasks array's elements are: JSON text
      // holds no raw line break inside a string, so every line break is one between tokens.
      const inner = slice.slice(2, -2).replace(/\n/g, '\n  ');
      yield `  ${inner}${i + TASKS_PER_CHUNK < this.tasks.length ? ',' : ''}\n`;
    }
    yield '  ]\n}\n';
  }
}

/** About 70 KB of text a slice: under V8's large-object size, so each slice dies young instead of growing the old heap. */
const TASKS_PER_CHUNK = 200;
