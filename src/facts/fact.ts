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
  /** Answered with the other facts of its group by one command (`probe` stays the fact's own, equivalent probe). */
  group?: { by: ProbeGroup; item: string };
}

/**
 * Facts of one kind that one command answers for all of them: one `systemctl show` for every unit,
 * one `stat` for every path. A node's gather then starts a few processes per kind, not a few per fact.
 */
export interface ProbeGroup {
  /** Facts whose group has this id are answered together. */
  id: string;
  /** Shell answering for every item (each fact's `group.item`). */
  probe(items: string[]): string;
  /** What each item's own probe would have printed, in the order of `items`, read from the group's output. */
  split(output: string, items: string[]): string[];
}

export type FactValues = Map<string, unknown>;

export function factValue<T>(facts: FactValues, fact: Fact<T>): T {
  if (!facts.has(fact.key)) throw new Error(`fact ${fact.key} was not gathered`);
  return facts.get(fact.key) as T;
}
