import type { FileDiff } from '../../core/events.js';

/** What a task result (or an unreachable host) brings to the report. */
export interface TaskFields {
  host: string;
  role?: string;
  task?: string;
  status: string;
  handler?: boolean;
  changes?: string[];
  reason?: string;
  diffs?: FileDiff[];
  error?: string;
}

/**
 * One task of the report, as the file shows it: every field, in the report's order, those a task lacks
 * undefined (JSON leaves them out).
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

/** Numbers kept per task: host, role, task, status (x2, +1 for a handler), reason, error, start, end, changes. */
const WIDTH = 9;
const NONE = -1;

/**
 * The report's tasks, column by column: a run of 10,000 hosts reports half a million, so each is nine
 * numbers (36 bytes) with its texts kept once for all hosts (hosts mostly report the very same reasons and
 * changes, each host's made anew), a task's list of changes too; the rare diffs beside them. A TaskRecord
 * is made only when read.
 */
export class TaskColumns {
  private readonly texts: string[] = [];
  private readonly ids = new Map<string, number>();
  private cells = new Int32Array(WIDTH * 1024);
  /** Each distinct list of changes once, frozen (a first apply of 10,000 hosts reports some 300,000 lists). */
  private readonly lists: (readonly string[])[] = [];
  private readonly listIds = new Map<string, number>();
  private readonly diffs = new Map<number, FileDiff[]>();
  length = 0;

  /** A host found unreachable: no role or task (null in the report), its error even when empty. */
  pushUnreachable(host: string, error: string, start: number, end: number): void {
    this.push({ host, status: 'unreachable' }, start, end);
    this.cells[(this.length - 1) * WIDTH + 5] = this.id(error);
  }

  /** A task result; times in ms since the run began. A reason or error that is empty is left out, as changes and diffs that are. */
  push(r: TaskFields, start: number, end: number): void {
    if ((this.length + 1) * WIDTH > this.cells.length) {
      const more = new Int32Array(this.cells.length * 2);
      more.set(this.cells);
      this.cells = more;
    }
    const i = this.length++;
    const at = i * WIDTH;
    const c = this.cells;
    c[at] = this.id(r.host);
    c[at + 1] = r.role === undefined ? NONE : this.id(r.role);
    c[at + 2] = r.task === undefined ? NONE : this.id(r.task);
    c[at + 3] = this.id(r.status) * 2 + (r.handler ? 1 : 0);
    c[at + 4] = r.reason ? this.id(r.reason) : NONE;
    c[at + 5] = r.error ? this.id(r.error) : NONE;
    c[at + 6] = start;
    c[at + 7] = end;
    c[at + 8] = r.changes?.length ? this.listId(r.changes) : NONE;
    if (r.diffs?.length) this.diffs.set(i, r.diffs);
  }

  at(i: number): TaskRecord {
    const c = this.cells;
    const at = i * WIDTH;
    const text = (id: number) => (id === NONE ? undefined : this.texts[id]!);
    return new TaskRecord(
      this.texts[c[at]!]!,
      text(c[at + 1]!) ?? null,
      text(c[at + 2]!) ?? null,
      this.texts[c[at + 3]! >> 1]!,
      c[at + 3]! & 1 ? true : undefined,
      c[at + 8] === NONE ? undefined : (this.lists[c[at + 8]!] as string[]),
      text(c[at + 4]!),
      this.diffs.get(i),
      text(c[at + 5]!),
      c[at + 6]!,
      c[at + 7]!,
    );
  }

  slice(from: number, to: number): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (let i = from; i < Math.min(to, this.length); i++) out.push(this.at(i));
    return out;
  }

  /** The id of a list of changes, made of the shared texts; keyed by the texts' ids, which no text can mistake. */
  private listId(changes: string[]): number {
    const ids = changes.map((t) => this.id(t));
    const key = ids.join(',');
    let id = this.listIds.get(key);
    if (id === undefined) {
      id = this.lists.push(Object.freeze(ids.map((n) => this.texts[n]!))) - 1;
      this.listIds.set(key, id);
    }
    return id;
  }

  private id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.push(text) - 1;
      this.ids.set(text, id);
    }
    return id;
  }
}
