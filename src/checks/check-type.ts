import type { Fact, FactValues } from '../facts/fact.js';
import type { ArgSpec, Args } from '../tasks/task-type.js';
import type { Transport } from '../transport/transport.js';
import type { PodCri } from './pod-cri.js';

/**
 * A check a role runs on a host after its tasks (its `verify:` section): the facts it reads and a
 * pure judgement of them. Like task types, each is one file, listed once in `check-list.ts`, and
 * roles call them with templated arguments, so the engine knows no role, variable or path.
 */
export interface CheckType {
  name: string;
  doc: string;
  args: Record<string, ArgSpec>;
  facts(args: Args): Fact<unknown>[];
  /**
   * Whether its probes change nothing on the node (default: they do not), so they may ride on the
   * gathers before and between the roles' changes: a run that changes nothing is verified by its first gather.
   */
  readOnly?(args: Args): boolean;
  /** What is wrong (empty when the host passes); `warnings` never fail the host. */
  judge(args: Args, facts: FactValues): { failures: string[]; warnings?: string[] };
  /**
   * A check that proves by doing (e.g. runs a pod through CRI): called after every check's facts are
   * judged, with the host's connection. Its `results` are one line each for the reports (passed or not).
   */
  act?(args: Args, facts: FactValues, node: CheckNode): Promise<CheckActResult>;
}

/** What an acting check may use on the node. */
export interface CheckNode {
  transport: Transport;
  /** A CRI client on the node's socket, over the host's connection (closed by the caller of act). */
  cri(socketPath: string): Promise<PodCri>;
  /** Whether this run changed the host (an acting check may skip itself on a no-op re-run). */
  changed: boolean;
}

export interface CheckActResult {
  failures: string[];
  warnings?: string[];
  /** One line per thing proven or not (a pod per handler), shown in the recap and the reports. */
  results: string[];
}

export function defineCheckType<T extends CheckType>(type: T): T {
  return type;
}

/** A command's exit code and output, as a check reads them. */
export const commandFact = (key: string, probe: string): Fact<{ code: number; out: string }> => ({
  key: `check:${key}:${probe}`,
  probe,
  parse: (out, code) => ({ code, out }),
});
