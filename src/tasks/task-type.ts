import type { Plan } from '../core/change.js';
import type { Fact, FactValues } from '../facts/fact.js';

/**
 * The contract of a task type: its documentation and argument schema (checked when roles load,
 * before any connection), the facts it needs, and a plan without I/O. Everything about one type
 * lives in its own file, `src/tasks/<type>.ts`, and is listed once in `task-list.ts`.
 */
export type ArgType = 'string' | 'boolean' | 'integer' | 'mode' | 'list' | 'map' | 'strings';

export interface ArgSpec {
  type: ArgType;
  required?: boolean;
  choices?: string[];
  doc: string;
}

export interface PlanContext {
  check: boolean;
  diff: boolean;
  /** Where replaced files are kept on the node: /var/backups/provision/<run-id>. */
  backupDir: string;
  /** What the task writes, from its type's `content` (rendered before any host is contacted). */
  content?: string;
  /**
   * A unit file was written on this host since the last daemon-reload. systemd's own
   * NeedDaemonReload misses a new file in /etc/systemd/system that overrides a unit in /lib.
   */
  unitFilesChanged?: boolean;
  /** --verify-content: archives and downloads are read, not trusted to their receipts' quick check. */
  verifyContent?: boolean;
  /** The task's time limit on the node, in seconds (none when unset): a download keeps its own limits below it. */
  timeLimitS?: number;
}

export type Args = Record<string, unknown>;

export interface TaskType {
  name: string;
  doc: string;
  args: Record<string, ArgSpec>;
  /** At least one of these arguments must be given. */
  oneOf?: string[];
  /** The content the task writes, rendered from its arguments before any connection (template, copy). */
  content?(args: Args, renderFile: (src: string) => string): string;
  facts(args: Args, ctx: PlanContext): Fact<unknown>[];
  plan(args: Args, facts: FactValues, ctx: PlanContext): Plan;
}

/** Declares a task type; a type without its facts or plan does not compile. */
export function defineTaskType<T extends TaskType>(type: T): T {
  return type;
}

/** Type check of one argument; a templated string is checked once rendered. */
export function argProblem(spec: ArgSpec, v: unknown): string | undefined {
  if (typeof v === 'string' && v.includes('{{')) return undefined;
  switch (spec.type) {
    case 'string':
      if (typeof v !== 'string') return `expected a string, got ${JSON.stringify(v)}`;
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return `expected true or false, got ${JSON.stringify(v)}`;
      break;
    case 'integer':
      if (!Number.isInteger(v)) return `expected an integer, got ${JSON.stringify(v)}`;
      break;
    case 'mode':
      if (typeof v !== 'string' || !/^0?[0-7]{3,4}$/.test(v)) return `expected a quoted octal mode such as "0644", got ${JSON.stringify(v)}`;
      break;
    case 'strings':
      if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
        return `expected a string or a list of strings, got ${JSON.stringify(v)}`;
      break;
    case 'list':
      if (!Array.isArray(v)) return `expected a list, got ${JSON.stringify(v)}`;
      break;
    case 'map':
      if (!v || typeof v !== 'object' || Array.isArray(v)) return `expected a mapping, got ${JSON.stringify(v)}`;
      break;
  }
  if (spec.choices && typeof v === 'string' && !spec.choices.includes(v)) return `expected one of ${spec.choices.join(', ')}, got "${v}"`;
  return undefined;
}

/** Rendered template arguments are strings; "true" becomes a boolean and "3" an integer where the schema says so. */
export function coerceRendered(spec: ArgSpec, v: unknown): unknown {
  if (spec.type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  if (spec.type === 'integer' && typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return v;
}

/** A string-or-list argument as a list. */
export const listArg = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Arguments shared by the types that set a path's attributes. */
export const ownerArgs: Record<string, ArgSpec> = {
  owner: { type: 'string', doc: 'owning user' },
  group: { type: 'string', doc: 'owning group' },
  mode: { type: 'mode', doc: 'permissions as a quoted octal string, e.g. "0644"' },
};
