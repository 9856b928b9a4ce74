import { writeReportChunks } from './report-file.js';
import type { FileDiff, HostStats, Listener, TaskResult } from '../../core/events.js';

/**
 * `--report FILE`: `{summary: {host: stats}, tasks: [{host, role, task, status, start, end, diff?, error?}],
 * waves: [{index, of, hosts, start}], gates: [{name, passed, answer, waitedMs, after, at}],
 * pauses: [{after, goOn, reason, at}], hosts: {host: {start, end}}}`; times are ms since the run began.
 * A run of 10,000 hosts reports half a million tasks: each is kept as one small record of one shape, its
 * texts shared with every other host's same text, and the file is written a slice of tasks at a time.
 */
export class JsonReport {
  readonly tasks: TaskRecord[] = [];
  /** Scripts run on each host (SSH command executions), facts and changes together. */
  readonly roundTrips: Record<string, number> = {};
  readonly waves: { index: number; of: number; hosts: string[]; start: number }[] = [];
  readonly hosts: Record<string, { start: number; end?: number }> = {};
  /** Health gates checked between waves (window: after hosts), and pauses, in the order they came. */
  readonly gates: { name: string; passed: boolean; answer: string; waitedMs: number; after: string[]; at: number }[] = [];
  readonly pauses: { after: number; goOn: boolean; reason: string; at: number }[] = [];
  private readonly began = Date.now();
  private readonly taskStart = new Map<string, number>();
  private readonly texts = new SharedTexts();

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
      this.tasks.push(taskRecord(e, this.texts, this.taskStart.get(e.host) ?? this.now(), this.now()));
      this.taskStart.delete(e.host);
    }
    if (e.type === 'host-unreachable') {
      const t = this.texts;
      this.tasks.push(
        new TaskRecord(
          e.host,
          null,
          null,
          'unreachable',
          undefined,
          undefined,
          undefined,
          undefined,
          t.get(e.error),
          this.hosts[e.host]?.start ?? this.now(),
          this.now(),
        ),
      );
    }
  };

  body(summary: Record<string, HostStats>, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...this.head(summary, extra), tasks: this.tasks };
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

/**
 * One task of the report. Every record has every field, in the report's order, those a task lacks
 * undefined (JSON leaves them out): one shape for half a million records instead of one per mix of fields.
 */
export class TaskRecord {
  constructor(
    readonly host: string,
    readonly role: string | null,
    readonly task: string | null,
    readonly status: string,
    readonly handler: true | undefined,
    readonly changes: string[] | undefined,
    readonly reason: string | undefined,
    readonly diff: FileDiff[] | undefined,
    readonly error: string | undefined,
    readonly start: number,
    readonly end: number,
  ) {}
}

function taskRecord(r: TaskResult, t: SharedTexts, start: number, end: number): TaskRecord {
  const changes = r.changes.length ? r.changes.map((c) => t.get(c)) : undefined;
  return new TaskRecord(
    r.host,
    t.get(r.role),
    t.get(r.task),
    r.status,
    r.handler ? true : undefined,
    changes,
    r.reason ? t.get(r.reason) : undefined,
    r.diffs?.length ? r.diffs : undefined,
    r.error ? t.get(r.error) : undefined,
    start,
    end,
  );
}

/**
 * One copy of each text the report holds: hosts mostly report the very same reasons and changes, each
 * host's made anew. Past MAX_SHARED distinct texts, new ones are kept as they come.
 */
class SharedTexts {
  private readonly seen = new Map<string, string>();

  get(text: string): string {
    const known = this.seen.get(text);
    if (known !== undefined) return known;
    if (this.seen.size < MAX_SHARED) this.seen.set(text, text);
    return text;
  }
}

const MAX_SHARED = 100_000;
