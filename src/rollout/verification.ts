import { CHECK_TYPES } from '../checks/check-list.js';
import type { Fact, FactValues } from '../facts/fact.js';
import type { PreparedHost } from '../plan/model.js';

/**
 * After its roles, a host is checked as an operator would, by the checks each role declares in
 * its `verify:` section. All their facts are gathered in one batched probe; a check marked
 * `warn` only warns.
 */
export interface Verification {
  facts: Fact<unknown>[];
  /** Those of `facts` whose probes change nothing (see CheckType.readOnly): they may be gathered before and between the roles' changes. */
  readOnlyFacts: Fact<unknown>[];
  /** How many checks run. */
  count: number;
  judge(values: FactValues): { failures: string[]; warnings: string[] };
}

export function verificationFor(host: PreparedHost): Verification | undefined {
  const checks = host.roles.flatMap((r) => r.checks);
  if (!checks.length) return undefined;
  return {
    facts: checks.flatMap((c) => CHECK_TYPES[c.type]!.facts(c.args)),
    readOnlyFacts: checks.flatMap((c) => ((CHECK_TYPES[c.type]!.readOnly?.(c.args) ?? true) ? CHECK_TYPES[c.type]!.facts(c.args) : [])),
    count: checks.length,
    judge(values) {
      const failures: string[] = [];
      const warnings: string[] = [];
      for (const c of checks) {
        const r = CHECK_TYPES[c.type]!.judge(c.args, values);
        (c.warn ? warnings : failures).push(...r.failures);
        warnings.push(...(r.warnings ?? []));
      }
      return { failures, warnings };
    },
  };
}
