import type { Prediction } from '../core/change.js';

/**
 * A fact is a probe (a shell snippet, run on the node) and a pure parser of what it printed.
 * Facts are keyed by their probe, so two tasks asking the same question share one answer.
 * Check mode changes nothing on the node, so a fact also says what a planned change would make
 * of it (`predict`): later tasks are planned on that instead of a second probe.
 */
export interface Fact<T> {
  key: string;
  probe: string;
  parse(output: string, code: number): T;
  /** The value once `prediction` is made true, or undefined when the prediction is not about this fact. */
  predict?(value: T, prediction: Prediction): T | undefined;
  /** The fact describes the outside world, not the node: a change on the node leaves it valid. */
  outlivesChanges?: boolean;
}

export type FactValues = Map<string, unknown>;

export function factValue<T>(facts: FactValues, fact: Fact<T>): T {
  if (!facts.has(fact.key)) throw new Error(`fact ${fact.key} was not gathered`);
  return facts.get(fact.key) as T;
}
