import { CHECK_TYPES } from '../checks/check-list.js';
import type { CheckNode } from '../checks/check-type.js';
import type { Fact, FactValues } from '../facts/fact.js';
import type { PreparedHost } from '../plan/model.js';
import type { FactCache } from '../apply/fact-cache.js';
import type { Transport } from '../transport/transport.js';
import type { TaskInstance } from '../plan/expand-tasks.js';
import { FrozenMemo } from '../core/frozen-memo.js';
import { criForCheck } from '../checks/pod-connect.js';

/**
 * After its roles, a host is checked as an operator would, by the checks each role declares in
 * its `verify:` section. All their facts are gathered in one probe script; a check marked
 * `warn` only warns. Checks that act (the pod check) run after every check's facts are judged.
 */
export interface Verification {
  facts: Fact<unknown>[];
  /** Those of `facts` whose probes change nothing (see CheckType.readOnly): they may be gathered before and between the roles' changes. */
  readOnlyFacts: Fact<unknown>[];
  /** How many checks run. */
  count: number;
  judge(values: FactValues): { failures: string[]; warnings: string[] };
  /** The acting checks, in order: their failures, warnings and one line per thing they proved. */
  act(values: FactValues, node: CheckNode): Promise<{ failures: string[]; warnings: string[]; results: string[] }>;
}

// A host's verification is asked for by the preflight, the roles and the verify step: made once per plan.
const verifications = new WeakMap<PreparedHost, Verification | null>();
// A check's facts come from its type and (frozen, shared by a plan class) arguments alone.
const checkFactsMemo = new FrozenMemo<{ facts: Fact<unknown>[]; readOnly: boolean }>();

const checkFacts = (c: TaskInstance) =>
  checkFactsMemo.get(c.args, { type: c.type }, () => {
    const type = CHECK_TYPES[c.type]!;
    return { facts: Object.freeze(type.facts(c.args)) as Fact<unknown>[], readOnly: type.readOnly?.(c.args) ?? true };
  });

/** The host's checks (a plan is not changed once made: its verification is kept with it). */
export function verificationFor(host: PreparedHost): Verification | undefined {
  let v = verifications.get(host);
  if (v === undefined) {
    v = makeVerification(host) ?? null;
    verifications.set(host, v);
  }
  return v ?? undefined;
}

function makeVerification(host: PreparedHost): Verification | undefined {
  const checks = host.roles.flatMap((r) => r.checks);
  if (!checks.length) return undefined;
  const each = checks.map(checkFacts);
  return {
    // Two checks may read the same fact (the pod check reads the handlers' shims, as the runtimes check does): asked once.
    facts: once(each.flatMap((c) => c.facts)),
    readOnlyFacts: once(each.flatMap((c) => (c.readOnly ? c.facts : []))),
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
    async act(values, node) {
      const out = { failures: [] as string[], warnings: [] as string[], results: [] as string[] };
      for (const c of checks) {
        const act = CHECK_TYPES[c.type]!.act;
        if (!act) continue;
        const r = await act(c.args, values, node);
        (c.warn ? out.warnings : out.failures).push(...r.failures);
        out.warnings.push(...(r.warnings ?? []));
        out.results.push(...r.results);
      }
      return out;
    },
  };
}

const once = (facts: Fact<unknown>[]) => [...new Map(facts.map((f) => [f.key, f])).values()];

/**
 * The verification step of a host: its checks' facts (gathered at the end of the last apply script when they could
 * be), judged, then the acting checks run when the others passed (a pod is not started on a node whose
 * containerd is known broken). One report: the failures, or what was proven.
 */
export async function verifyHost(
  verification: Verification,
  cache: FactCache,
  transport: Transport,
  changed: boolean,
): Promise<{ ok: boolean; reason: string; error: string }> {
  const values = await cache.need(verification.facts, () => []);
  const judged = verification.judge(values);
  const acted = judged.failures.length
    ? { failures: [], warnings: [], results: [] }
    : await verification.act(values, { transport, cri: criForCheck(transport), changed });
  const failures = [...judged.failures, ...acted.failures];
  const warnings = [...judged.warnings, ...acted.warnings];
  const proven = acted.results.length ? `\n${acted.results.join('\n')}` : '';
  return {
    ok: failures.length === 0,
    reason: `${warnings.length ? `warning: ${warnings.join('; ')}` : `${verification.count} checks of the roles passed`}${proven}`,
    error: [...failures, ...warnings.map((w) => `warning: ${w}`), ...acted.results.filter((r) => !failures.includes(r))].join('\n'),
  };
}
