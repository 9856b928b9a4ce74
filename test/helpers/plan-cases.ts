import { expect } from 'chai';
import type { Fact, FactValues } from '../../src/facts/fact.js';
import { TASK_TYPES } from '../../src/tasks/task-list.js';
import type { PlanContext } from '../../src/tasks/task-type.js';

export type PlanExpect = { changes: string[] } | { noop: RegExp } | { error: RegExp };
export interface PlanCase {
  name: string;
  type: string;
  args: Record<string, unknown>;
  facts: [Fact<unknown>, unknown][];
  ctx?: Partial<PlanContext>;
  expect: PlanExpect;
}

/** Table-driven task planning: each case's {args, facts} -> changes | noop | error. */
export function planCases(title: string, cases: PlanCase[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(`${c.type}: ${c.name}`, () => {
        const planner = TASK_TYPES[c.type]!;
        const ctx: PlanContext = { check: false, diff: false, backupDir: '/var/backups/provision/t', ...c.ctx };
        const facts: FactValues = new Map(c.facts.map(([f, v]) => [f.key, v]));
        // The planner asks for exactly the facts the case provides.
        expect(
          planner
            .facts(c.args, ctx)
            .map((f) => f.key)
            .sort(),
        ).to.deep.equal(c.facts.map(([f]) => f.key).sort());
        if ('error' in c.expect) {
          expect(() => planner.plan(c.args, facts, ctx)).to.throw(c.expect.error);
          return;
        }
        const plan = planner.plan(c.args, facts, ctx);
        if ('noop' in c.expect) {
          expect(plan, JSON.stringify(plan)).to.have.property('noop').that.matches(c.expect.noop);
        } else {
          expect('changes' in plan ? plan.changes.map((x) => x.what) : plan).to.deep.equal(c.expect.changes);
        }
      });
    }
  });
}
