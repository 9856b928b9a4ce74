import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { JsonReport } from '../../../../src/cli/reporters/json-report.js';
import { formatOutcome, shownInOutcome } from '../../../../src/cli/reporters/outcome.js';
import { emptyStats, type RunEvent, type TaskResult } from '../../../../src/core/events.js';

/** Texts with what JSON escapes (quotes, line breaks, backslashes, control characters) and what it does not. */
const text = fc.oneof(fc.constantFrom('', 'ok', 'a\nb', '"quoted"', 'back\\slash', '\u0001\t', '[]', 'é ü 漢'), fc.string({ maxLength: 12 }));
const result: fc.Arbitrary<TaskResult> = fc.record(
  {
    host: fc.constantFrom('w1', 'w2', 'w3'),
    role: fc.constantFrom('rollout', 'install-containerd', 'r'),
    task: fc.oneof(fc.constantFrom('notes', 'write config'), text),
    handler: fc.boolean(),
    status: fc.constantFrom('ok', 'changed', 'skipped', 'failed', 'unknown'),
    changes: fc.array(text, { maxLength: 3 }),
    reason: text,
    diffs: fc.array(fc.record({ path: text, before: text, after: text }), { maxLength: 2 }),
    error: text,
  },
  { requiredKeys: ['host', 'role', 'task', 'handler', 'status', 'changes'] },
);
const event: fc.Arbitrary<RunEvent> = fc.oneof(
  result.map((r) => ({ type: 'task-result' as const, ...r })),
  fc.record({ type: fc.constant('host-unreachable' as const), host: fc.constantFrom('w1', 'w2'), error: text }),
  fc.record({ type: fc.constant('host-start' as const), host: fc.constantFrom('w1', 'w2', 'w3') }),
  fc.record({ type: fc.constant('wave-start' as const), index: fc.nat(3), of: fc.nat(3), hosts: fc.array(fc.constantFrom('w1', 'w2')) }),
);

/** The report's task as it always was: the fields a task has, none it lacks. */
function expectedTask(e: RunEvent): Record<string, unknown> {
  if (e.type === 'host-unreachable') return { host: e.host, role: null, task: null, status: 'unreachable', error: e.error };
  const r = e as TaskResult;
  const out: Record<string, unknown> = { host: r.host, role: r.role, task: r.task, status: r.status };
  if (r.handler) out.handler = true;
  if (r.changes.length) out.changes = r.changes;
  if (r.reason) out.reason = r.reason;
  if (r.diffs?.length) out.diff = r.diffs;
  if (r.error) out.error = r.error;
  return out;
}

describe('JSON report (--report) at any size', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'provision-json-report-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const written = (events: RunEvent[]) => {
    const report = new JsonReport();
    for (const e of events) report.listener(e);
    const summary = { w1: emptyStats() };
    const file = join(dir, 'report.json');
    report.write(file, summary, { runId: 'r1' });
    return { textOf: readFileSync(file, 'utf8'), whole: `${JSON.stringify(report.body(summary, { runId: 'r1' }), null, 2)}\n`, file };
  };

  it('written a slice of tasks at a time, is the very text of the whole report in one piece, with the fields each task has', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const { textOf, whole } = written(events);
        expect(textOf).to.equal(whole);
        const tasks = (JSON.parse(textOf).tasks as Record<string, unknown>[]).map(({ start, end, ...rest }) => {
          expect(start).to.be.a('number');
          expect(end).to.be.a('number');
          return rest;
        });
        // As text: the fields in the order the report always had them.
        const expected = events.filter((e) => e.type === 'task-result' || e.type === 'host-unreachable').map(expectedTask);
        expect(tasks.map((t) => JSON.stringify(t))).to.deep.equal(expected.map((t) => JSON.stringify(t)));
      }),
      { numRuns: 200 },
    );
  });

  it('across slices (4,500 tasks), in order, readable by its owner only', () => {
    const events: RunEvent[] = Array.from({ length: 4500 }, (_, i) => ({
      type: 'task-result',
      host: `w${i % 7}`,
      role: 'r',
      task: `t${i}`,
      handler: false,
      status: 'ok',
      changes: [],
      reason: `reason "${i % 3}"\nsecond line`,
    }));
    const { textOf, whole, file } = written(events);
    expect(textOf).to.equal(whole);
    expect(JSON.parse(textOf).tasks.map((t: { task: string }) => t.task)).to.deep.equal(events.map((e) => (e as TaskResult).task));
    expect(statSync(file).mode & 0o777).to.equal(0o600);
  });

  it('the outcome after the recap reads only the results a run keeps for it (shownInOutcome)', () => {
    fc.assert(
      fc.property(fc.array(result, { maxLength: 30 }), fc.boolean(), (results, diff) => {
        expect(formatOutcome(results.filter(shownInOutcome), [], { diff })).to.equal(formatOutcome(results, [], { diff }));
      }),
      { numRuns: 300 },
    );
  });

  it("the outcome made from the report's columns (the run keeps no results of its own for it) is the outcome of the results as they came", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.boolean(), (events, diff) => {
        const report = new JsonReport();
        const shown: number[] = [];
        for (const e of events) {
          if (e.type === 'task-result' && shownInOutcome(e)) shown.push(report.taskCount);
          report.listener(e);
        }
        const results = events.filter((e): e is RunEvent & TaskResult => e.type === 'task-result');
        expect(
          formatOutcome(
            shown.map((i) => report.result(i)),
            [],
            { diff },
          ),
        ).to.equal(formatOutcome(results, [], { diff }));
      }),
      { numRuns: 300 },
    );
  });
});
