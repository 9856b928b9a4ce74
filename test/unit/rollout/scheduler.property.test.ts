import { expect } from 'chai';
import fc from 'fast-check';
import { budgetExceeded, type FailureBudget } from '../../../src/rollout/budget.js';
import { runSchedule, type Strategy } from '../../../src/rollout/scheduler.js';
import { wavesOf } from '../../../src/rollout/waves.js';

/**
 * The scheduler on generated runs: hosts with generated durations (real timers of a few ms) and
 * outcomes, both strategies, generated widths, serials and failure budgets. What an operator relies
 * on must hold for every one of them.
 */
interface Run {
  strategy: Strategy;
  hosts: { ms: number; fails: boolean }[];
  width: number;
  serial: number;
  budget: { maxFailPercentage?: number; maxFail?: number };
  gateFailsAfter?: number;
}

const runs = fc.record({
  strategy: fc.constantFrom<Strategy>('waves', 'window'),
  hosts: fc.array(fc.record({ ms: fc.integer({ min: 0, max: 4 }), fails: fc.boolean() }), { minLength: 0, maxLength: 12 }),
  width: fc.integer({ min: 1, max: 5 }),
  serial: fc.integer({ min: 1, max: 5 }),
  budget: fc.record(
    {
      maxFailPercentage: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      maxFail: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    },
    { requiredKeys: [] },
  ),
  gateFailsAfter: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
});

/** Runs the schedule and records what happened, in the order it happened. */
async function simulate(r: Run) {
  const names = r.hosts.map((_, i) => i);
  const budget: FailureBudget = { selected: names.length, ...r.budget };
  const finished = new Set<number>();
  let failed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let afterCalls = 0;
  const starts: { host: number; failedBefore: number; finishedBefore: number[] }[] = [];
  const waves = wavesOf(names, r.strategy === 'waves' ? r.serial : undefined);
  const result = await runSchedule<number>({
    strategy: r.strategy,
    waves,
    width: r.strategy === 'window' ? r.serial : r.width,
    run: async (host) => {
      starts.push({ host, failedBefore: failed, finishedBefore: [...finished] });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((ok) => setTimeout(ok, r.hosts[host]!.ms));
      inFlight--;
      if (r.hosts[host]!.fails) failed++;
      finished.add(host);
    },
    halt: () => budgetExceeded(budget, failed),
    after: async () => (++afterCalls === r.gateFailsAfter ? 'gate failed' : undefined),
  });
  return { result, starts, maxInFlight, waves, failed, budget, afterCalls };
}

describe('rollout scheduler: waves and window on generated runs (fast-check)', function () {
  this.timeout(120_000);

  it('starts hosts in the inventory order, a prefix of it, each once; the rest are listed as never started', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (r) => {
        const { result, starts } = await simulate(r);
        const started = starts.map((s) => s.host);
        expect(started).to.deep.equal(started.map((_, i) => i));
        expect([...started, ...result.notStarted.map((n) => n.item)]).to.deep.equal(r.hosts.map((_, i) => i));
      }),
      { numRuns: 150 },
    );
  });

  it('never has more hosts in flight than the window (or a wave) allows', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (r) => {
        const { maxInFlight } = await simulate(r);
        expect(maxInFlight).to.be.at.most(r.strategy === 'window' ? r.serial : Math.min(r.width, r.serial));
      }),
      { numRuns: 150 },
    );
  });

  it('the failure budget is counted over the whole run: no host starts once it is spent, and a run stops only when it is (or a gate failed)', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (r) => {
        const { result, starts, failed, budget } = await simulate(r);
        for (const s of starts) expect(budgetExceeded(budget, s.failedBefore), `host ${s.host}`).to.equal(undefined);
        if (result.notStarted.length) {
          const why = result.notStarted[0]!.reason;
          if (why === 'gate failed') expect(result.stopped).to.equal('gate failed');
          else {
            expect(why).to.match(/^failure budget spent/);
            expect(budgetExceeded(budget, failed)).to.not.equal(undefined);
          }
        } else if (result.stopped === undefined) {
          expect(budgetExceeded(budget, failed) === undefined || starts.length === r.hosts.length).to.equal(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('one host at a time: exactly the hosts up to the one that spent the budget are started', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (r0) => {
        const r = { ...r0, strategy: 'window' as const, serial: 1, gateFailsAfter: undefined };
        const { starts } = await simulate(r);
        const budget = { selected: r.hosts.length, ...r.budget };
        let expected = r.hosts.length;
        for (let i = 0, failed = 0; i < r.hosts.length; i++) {
          if (r.hosts[i]!.fails) failed++;
          if (budgetExceeded(budget, failed)) {
            expected = i + 1;
            break;
          }
        }
        expect(starts.length).to.equal(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('waves: a wave starts only after every host of the one before ended, and a gate that fails after a wave starts none after it', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (r0) => {
        const r = { ...r0, strategy: 'waves' as const, budget: {} };
        const { result, starts, waves, afterCalls } = await simulate(r);
        const waveOf = (h: number) => waves.findIndex((w) => w.includes(h));
        for (const s of starts) {
          const before = waves.slice(0, waveOf(s.host)).flat();
          expect(s.finishedBefore).to.include.members(before);
        }
        expect(afterCalls).to.equal(r.gateFailsAfter !== undefined && r.gateFailsAfter < waves.length ? r.gateFailsAfter : waves.length);
        if (r.gateFailsAfter !== undefined && r.gateFailsAfter < waves.length) {
          expect(result.notStarted.map((n) => n.item)).to.deep.equal(waves.slice(r.gateFailsAfter).flat());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('window: after a failed gate, hosts in flight finish and none starts', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (r0) => {
        const r = { ...r0, strategy: 'window' as const, budget: {} };
        const { result, starts, afterCalls } = await simulate(r);
        // One check after each host that ended, until one failed: it is the last.
        if (r.gateFailsAfter !== undefined && r.gateFailsAfter <= r.hosts.length) {
          expect(afterCalls).to.equal(r.gateFailsAfter);
          expect(result.stopped).to.equal('gate failed');
          // Started: the hosts that ended before the failed check, and those in flight during it.
          expect(starts.length)
            .to.be.at.least(r.gateFailsAfter)
            .and.at.most(r.gateFailsAfter + r.serial - 1);
        } else {
          expect(afterCalls).to.equal(starts.length);
          expect(result.notStarted).to.deep.equal([]);
        }
      }),
      { numRuns: 150 },
    );
  });
});
