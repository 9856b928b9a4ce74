import { ValidationError } from '../core/errors.js';
import type { Vars } from '../core/vars.js';
import { renderDeep } from '../roles/resolve-vars.js';
import type { Role, TaskSpec } from '../roles/role.js';
import { TASK_TYPES } from '../tasks/task-list.js';
import { type ArgSpec, type Args, argProblem, coerceRendered } from '../tasks/task-type.js';
import { pathProblem } from '../roles/value-types.js';
import type { TemplateRenderer } from '../template/renderer.js';

/** A task made concrete for one host: loop item chosen, `when` true, arguments rendered. */
export interface TaskInstance {
  role: string;
  /** The task's name, with the loop item's label when it loops. */
  name: string;
  type: string;
  args: Record<string, unknown>;
  notify: string[];
  spec: TaskSpec;
  /** The loop item the task was rendered with (as `item`), when it loops. */
  item?: unknown;
  /** The task acts only if one of these paths exists on the node. */
  ifExists?: string[];
  /** What a template or copy task writes, rendered before any host is contacted. */
  content?: string;
  /** A check whose failure is only a warning. */
  warn?: boolean;
}

/** The types a list of a role is made of: task types, or the check types of `verify:`. */
type TypeTable = Readonly<Record<string, { args: Record<string, ArgSpec>; content?: (args: Args, renderFile: (src: string) => string) => string }>>;

export interface SkippedTask {
  role: string;
  name: string;
  reason: string;
}

export function expandTasks(role: Role, tasks: TaskSpec[], vars: Vars, engine: TemplateRenderer, host: string, types: TypeTable = TASK_TYPES) {
  const instances: TaskInstance[] = [];
  const skipped: SkippedTask[] = [];
  // One context reused for every loop item while rendering (renders are synchronous and keep no
  // reference to it): copying a host's hundred-odd variables per item was a tenth of preparing a host.
  let itemCtx: Vars | undefined;
  for (const spec of tasks) {
    for (const item of loopItems(spec, vars, host)) {
      let ctx = vars;
      if (item !== undefined) {
        itemCtx ??= { ...vars, item };
        itemCtx.item = item;
        ctx = itemCtx;
      }
      const name = item === undefined ? spec.name : `${spec.name} (${itemLabel(item)})`;
      const where = `${spec.where.file}:${spec.where.line}:${spec.where.col}`;
      if (spec.when && !engine.test(spec.when, ctx, where)) {
        skipped.push({ role: role.name, name, reason: `when: ${spec.when} is false` });
        continue;
      }
      const args = renderDeep(spec.args, (s) => engine.renderValue(s, ctx, where)) as Record<string, unknown>;
      checkRenderedArgs(spec, args, host, types);
      const instance: TaskInstance = {
        role: role.name,
        name,
        type: spec.type,
        args,
        notify: spec.notify,
        spec,
        ...(spec.warn ? { warn: true } : {}),
      };
      if (item !== undefined) instance.item = item;
      if (spec.ifExists) instance.ifExists = (renderDeep(spec.ifExists, (s) => engine.renderValue(s, ctx, where)) as unknown[]).flat().map(String);
      const type = types[spec.type]!;
      if (type.content) instance.content = type.content(args, (src) => engine.renderFile(src, ctx));
      instances.push(instance);
    }
  }
  return { instances, skipped };
}

/**
 * The root names expanding `tasks` may read from a host's variables (in `when`, `loop`, arguments,
 * `if_exists` and the templates a task's content renders), or undefined when that cannot be known.
 * It follows expandTasks: a change to what expansion reads changes both.
 */
export function tasksInputs(tasks: readonly TaskSpec[], engine: TemplateRenderer, types: TypeTable = TASK_TYPES): Set<string> | undefined {
  const names = new Set<string>();
  let known = true;
  const add = (inputs: readonly string[] | undefined) => {
    if (inputs === undefined) known = false;
    else for (const n of inputs) names.add(n);
  };
  const strings = (value: unknown) => renderDeep(value, (s) => add(engine.inputsOf(s)));
  for (const spec of tasks) {
    if (spec.when) add(engine.testInputs(spec.when));
    if (spec.loop) add([spec.loop.split('.')[0]!]);
    strings(spec.args);
    strings(spec.ifExists);
    // The content hook names the templates it renders; one chosen by a `{{ }}` argument is not known here.
    types[spec.type]?.content?.(spec.args, (src) => {
      add(src.includes('{{') ? undefined : engine.fileInputs(src));
      return '';
    });
  }
  return known ? names : undefined;
}

function loopItems(spec: TaskSpec, vars: Vars, host: string): unknown[] {
  if (!spec.loop) return [undefined];
  const value = spec.loop.split('.').reduce<unknown>((v, k) => (v as Vars | undefined)?.[k], vars);
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Object.entries(value).map(([key, v]) => ({ key, value: v }));
  if (value === null || value === undefined) return [];
  throw new ValidationError(`task "${spec.name}" loops over ${spec.loop}, which is ${JSON.stringify(value)}, not a list or mapping`, {
    host,
    role: spec.role,
    task: spec.name,
  });
}

function itemLabel(item: unknown): string {
  if (item && typeof item === 'object') return String((item as Vars).key ?? (item as Vars).name ?? JSON.stringify(item));
  return String(item);
}

const DESTINATIONS = new Set(['dest', 'path']);

/** Templated arguments are typed only once rendered: "true" becomes a boolean, "0755" stays a mode. */
function checkRenderedArgs(spec: TaskSpec, args: Record<string, unknown>, host: string, table: TypeTable): void {
  const types = table[spec.type]!.args;
  for (const [key, value] of Object.entries(args)) {
    const argSpec = types[key]!;
    args[key] = coerceRendered(argSpec, value);
    // A destination is where a write lands: absolute and normalised, so it cannot climb out of its place.
    const problem = argProblem(argSpec, args[key]) ?? (DESTINATIONS.has(key) ? pathProblem(args[key]) : undefined);
    if (problem) {
      throw new ValidationError(`${spec.type} argument "${key}": ${problem}`, {
        host,
        role: spec.role,
        task: spec.name,
        file: spec.where.file,
        line: spec.where.line,
        col: spec.where.col,
      });
    }
  }
}
