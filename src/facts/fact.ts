/**
 * A fact is a probe (a shell snippet, run on the node) and a pure parser of what it printed.
 * Facts are keyed by their probe, so two tasks asking the same question share one answer.
 */
export interface Fact<T> {
  key: string;
  probe: string;
  parse(output: string, code: number): T;
}

export type FactValues = Map<string, unknown>;

export function factValue<T>(facts: FactValues, fact: Fact<T>): T {
  if (!facts.has(fact.key)) throw new Error(`fact ${fact.key} was not gathered`);
  return facts.get(fact.key) as T;
}
