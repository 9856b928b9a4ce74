import { existsFact } from '../facts/exists.js';
import type { Fact } from '../facts/fact.js';
import type { TaskInstance } from '../plan/expand-tasks.js';
import { TASK_TYPES } from '../tasks/task-list.js';
import type { PlanContext } from '../tasks/task-type.js';

/** The context a task's facts are made in; its content is the task's own. */
export type FactsContext = Omit<PlanContext, 'content'>;

// Every field of the context, checked by the compiler: a field added to PlanContext and not here does not compile.
const CONTEXT_FIELDS = ['check', 'diff', 'backupDir', 'unitFilesChanged', 'verifyContent', 'timeLimitS'] as const;
type Unlisted = Exclude<keyof FactsContext, (typeof CONTEXT_FIELDS)[number]>;
const everyField: [Unlisted] extends [never] ? true : Unlisted = true;
void everyField;

interface Made {
  type: string;
  ifExists: readonly string[] | undefined;
  content: string | undefined;
  ctx: FactsContext;
  facts: readonly Fact<unknown>[];
}

// By the task's arguments: hosts of a plan class share them, deep-frozen (see plan-classes.ts). The same idea as
// core/frozen-memo.ts's FrozenMemo, written out here because this look-up runs per task, host and pass: the generic
// memo's copied and key-walked inputs cost as much as making the facts (measured in the 1,000-host no-op's profile).
const made = new WeakMap<object, Made[]>();

/**
 * The facts a task needs: its guard's paths and its type's own. They are made from the task's type,
 * arguments, guard, content and the context alone, so the hosts of a plan class (whose tasks share
 * frozen arguments) share them: made once per class and context, not once per host and per pass.
 * Arguments that are not frozen may still change: their facts are made afresh each time.
 */
export function taskFacts(task: TaskInstance, ctx: FactsContext): readonly Fact<unknown>[] {
  if (!Object.isFrozen(task.args)) return make(task, ctx);
  let list = made.get(task.args);
  if (!list) {
    list = [];
    made.set(task.args, list);
  }
  for (const m of list) if (m.type === task.type && m.ifExists === task.ifExists && m.content === task.content && sameContext(m.ctx, ctx)) return m.facts;
  const facts = make(task, ctx);
  list.push({ type: task.type, ifExists: task.ifExists, content: task.content, ctx: pick(ctx), facts });
  return facts;
}

function make(task: TaskInstance, ctx: FactsContext): readonly Fact<unknown>[] {
  return Object.freeze([...(task.ifExists ?? []).map(existsFact), ...TASK_TYPES[task.type]!.facts(task.args, { ...ctx, content: task.content })]);
}

function sameContext(a: FactsContext, b: FactsContext): boolean {
  for (const f of CONTEXT_FIELDS) if (a[f] !== b[f]) return false;
  return true;
}

function pick(ctx: FactsContext): FactsContext {
  const out: Record<string, unknown> = {};
  for (const f of CONTEXT_FIELDS) out[f] = ctx[f];
  return out as unknown as FactsContext;
}
