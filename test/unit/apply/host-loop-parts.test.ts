import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyQueue, type QueueRun } from '../../../src/apply/apply-queue.js';
import { FactCache } from '../../../src/apply/fact-cache.js';
import { HandlerLedger } from '../../../src/apply/handler-ledger.js';
import { markerPath, owedHandlerFacts } from '../../../src/apply/owed-handlers.js';
import type { PlannedStep, StepToPlan } from '../../../src/apply/planned-step.js';
import { NEEDS_FACTS, type PlannerOptions, type QueueState, StepPlanner } from '../../../src/apply/step-planner.js';
import type { TaskResult } from '../../../src/core/events.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import type { PreparedHost } from '../../../src/plan/model.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import { applyRun } from '../../../src/rollout/rollout.js';
import type { RunOptions } from '../../../src/transport/transport.js';

/** The local transport, counting and keeping each script it is given: how many round trips a part costs, and what it sent. */
class RecordingTransport extends LocalTransport {
  scripts: string[] = [];
  override async run(script: string, opts?: RunOptions) {
    this.scripts.push(script);
    return super.run(script, opts);
  }
}

/** A host planned from a role of the test's own, writing only under a temporary directory. */
function hostOf(tasks: string[], handlers: string[] = []): { plan: PreparedHost; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'provision-parts-'));
  const work = join(root, 'work');
  mkdirSync(work);
  mkdirSync(join(root, 'roles', 'r'), { recursive: true });
  mkdirSync(join(root, 'templates'));
  writeFileSync(join(root, 'roles', 'variables.yaml'), `variables:\n  work:\n    type: path\n    default: ${work}\n    description: where the test writes\n`);
  const role = ['description: test role', tasks.length ? 'tasks:' : 'tasks: []', ...tasks, ...(handlers.length ? ['handlers:', ...handlers] : []), ''];
  writeFileSync(join(root, 'roles', 'r', 'role.yaml'), role.join('\n'));
  const inv = new Inventory();
  inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
  const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates') });
  return { plan: prepared.hosts[0]!, work };
}

const plannerOptions = (over: Partial<PlannerOptions> = {}): PlannerOptions => ({
  host: 'local',
  check: false,
  diff: false,
  backupDir: join(tmpdir(), 'provision-parts-backups'),
  isOwed: () => false,
  ...over,
});

/** Role tasks running one command each: [name, command]. */
const commands = (...list: [string, string][]) => list.flatMap(([name, cmd]) => [`  - name: ${name}`, `    command: { cmd: "${cmd}" }`]);
const idle: QueueState = { waiting: () => false, upcoming: () => [] };
const tasksOf = (plan: PreparedHost): StepToPlan[] => plan.roles[0]!.tasks.map((task) => ({ role: plan.roles[0]!, task, handler: false }));
const handlersOf = (plan: PreparedHost): StepToPlan[] => plan.roles[0]!.handlers.map((task) => ({ role: plan.roles[0]!, task, handler: true }));

describe('the per-host loop as named parts (local transport, recorded)', () => {
  describe('step planner', () => {
    it('plans a change, then the next task on what that change predicts: one gather for both', async () => {
      const { plan, work } = hostOf([
        '  - name: dir',
        '    directory: { path: "{{work}}/etc" }',
        '  - name: file',
        '    copy: { content: "x\\n", dest: "{{work}}/etc/f" }',
      ]);
      const transport = new RecordingTransport();
      const planner = new StepPlanner(new FactCache(transport), plannerOptions());
      const [dir, file] = tasksOf(plan);
      const upcoming = () => planner.factsOf(file!.task);
      const first = (await planner.plan(dir!, { waiting: () => false, upcoming })) as PlannedStep;
      expect(first.result.status).to.equal('changed');
      expect(first.changes!.map((c) => c.what).join()).to.contain(`${work}/etc`);
      const second = (await planner.plan(file!, { waiting: () => true, upcoming })) as PlannedStep;
      expect(second.result.status).to.equal('changed');
      expect(transport.scripts).to.have.length(1);
      expect(existsSync(`${work}/etc`)).to.equal(false);
    });

    it('says a step needs facts when changes are queued and its facts are not known', async () => {
      const { plan } = hostOf(['  - name: file', '    copy: { content: "x\\n", dest: "{{work}}/f" }']);
      const transport = new RecordingTransport();
      const planner = new StepPlanner(new FactCache(transport), plannerOptions());
      expect(await planner.plan(tasksOf(plan)[0]!, { waiting: () => true, upcoming: () => [] })).to.equal(NEEDS_FACTS);
      expect(transport.scripts).to.have.length(0);
      expect(((await planner.plan(tasksOf(plan)[0]!, idle)) as PlannedStep).result.status).to.equal('changed');
    });

    it('marks the handlers a change notifies before it; check mode plans no change to make', async () => {
      const tasks = ['  - name: file', '    copy: { content: "x\\n", dest: "{{work}}/f" }', '    notify: [h]'];
      const { plan } = hostOf(tasks, ['  - name: h', '    command: { cmd: "true" }']);
      const applied = (await new StepPlanner(new FactCache(new RecordingTransport()), plannerOptions()).plan(tasksOf(plan)[0]!, idle)) as PlannedStep;
      expect(applied.changes![0]!.script).to.contain(markerPath('r', 'h'));
      const checked = (await new StepPlanner(new FactCache(new RecordingTransport()), plannerOptions({ check: true })).plan(
        tasksOf(plan)[0]!,
        idle,
      )) as PlannedStep;
      expect(checked.result.status).to.equal('changed');
      expect(checked.changes).to.equal(undefined);
    });

    it('a handler owed by an earlier run with nothing left to do clears its marker; one not owed changes nothing', async () => {
      const { plan, work } = hostOf([], ['  - name: h', '    directory: { path: "{{work}}" }']);
      const [h] = handlersOf(plan);
      const owed = (await new StepPlanner(new FactCache(new RecordingTransport()), plannerOptions({ isOwed: () => true })).plan(h!, idle)) as PlannedStep;
      expect(owed.result.status, work).to.equal('ok');
      expect(owed.changes!.map((c) => c.script)).to.deep.equal([`rm -f ${markerPath('r', 'h')}`]);
      const notOwed = (await new StepPlanner(new FactCache(new RecordingTransport()), plannerOptions()).plan(h!, idle)) as PlannedStep;
      expect(notOwed.changes).to.equal(undefined);
    });
  });

  describe('apply queue', () => {
    function queueOn(transport: RecordingTransport, over: Partial<QueueRun> = {}) {
      const events: string[] = [];
      const gathers: boolean[] = [];
      const queue = new ApplyQueue({
        transport,
        interrupted: () => false,
        start: (s) => events.push(`start ${s.result.task}`),
        report: (s, r: TaskResult) => events.push(`${s.result.task}: ${r.status}`),
        gather: (last) => {
          gathers.push(last);
          return { script: 'echo gathered-probe', absorb: () => {} };
        },
        invalidateFacts: () => events.push('stale'),
        ...over,
      });
      return { queue, events, gathers };
    }
    async function planned(tasks: string[]) {
      const { plan, work } = hostOf(tasks);
      const planner = new StepPlanner(new FactCache(new RecordingTransport()), plannerOptions());
      const steps: PlannedStep[] = [];
      for (const s of tasksOf(plan)) steps.push((await planner.plan(s, idle)) as PlannedStep);
      return { steps, work };
    }

    it('applies what is queued as one script, reports step by step, and is empty afterwards', async () => {
      const { steps, work } = await planned(commands(['a', 'touch {{work}}/a'], ['b', 'touch {{work}}/b']));
      const transport = new RecordingTransport();
      const { queue, events, gathers } = queueOn(transport);
      expect(queue.waiting()).to.equal(false);
      for (const s of steps) queue.add(s);
      expect(queue.waiting()).to.equal(true);
      expect(await queue.flush()).to.equal(undefined);
      expect(events).to.deep.equal(['stale', 'start a', 'a: changed', 'start b', 'b: changed']);
      expect(transport.scripts).to.have.length(1);
      expect(gathers).to.deep.equal([]);
      expect(existsSync(join(work, 'a')) && existsSync(join(work, 'b'))).to.equal(true);
      expect(queue.waiting()).to.equal(false);
    });

    it("a flush named to gather rides the probes on the script (the last one asks for the caller's too)", async () => {
      const { steps } = await planned(commands(['a', 'true']));
      const transport = new RecordingTransport();
      const { queue, gathers } = queueOn(transport);
      queue.add(steps[0]!);
      await queue.flush({ gatherAfter: true, last: true });
      expect(gathers).to.deep.equal([true]);
      expect(transport.scripts[0]).to.contain('echo gathered-probe');
    });

    it('a failing task stops the script and is returned', async () => {
      const { steps, work } = await planned(commands(['fails', 'exit 3'], ['after', 'touch {{work}}/after']));
      const { queue, events } = queueOn(new RecordingTransport());
      for (const s of steps) queue.add(s);
      expect((await queue.flush())?.result.task).to.equal('fails');
      expect(events).to.include('fails: failed');
      expect(existsSync(join(work, 'after'))).to.equal(false);
    });

    it('after Ctrl-C no new step starts, unless the flush is named evenInterrupted (the handlers still owed)', async () => {
      const { steps, work } = await planned(commands(['slow', 'sleep 0.5'], ['after', 'touch {{work}}/after']));
      const stopped = queueOn(new RecordingTransport(), { interrupted: () => true });
      for (const s of steps) stopped.queue.add(s);
      await stopped.queue.flush();
      expect(existsSync(join(work, 'after'))).to.equal(false);
      for (const s of steps) stopped.queue.add(s);
      await stopped.queue.flush({ evenInterrupted: true });
      expect(existsSync(join(work, 'after'))).to.equal(true);
    });
  });

  describe('handler ledger', () => {
    const decided = { what: 'extract', script: 'true', predict: [], decidedOnNode: { unchanged: 'the node found nothing to change' } };
    const roleYaml = (notify: string) => [`  - name: t`, `    command: { cmd: "true" }`, `    notify: [${notify}]`];
    const handlers = ['  - name: h1', '    command: { cmd: "true" }', '  - name: h2', '    command: { cmd: "true" }'];
    const result = (status: TaskResult['status']): TaskResult => ({ host: 'local', role: 'r', task: 't', handler: false, status, changes: [] });

    it('notifies again the handlers an earlier run owes (from the markers gathered)', () => {
      const { plan } = hostOf(roleYaml('h1'), handlers);
      const ledger = new HandlerLedger();
      const values = new Map(owedHandlerFacts(plan).map((f) => [f.key, f.key.includes(markerPath('r', 'h2'))] as [string, unknown]));
      ledger.takeOwed(plan, values);
      const [h1, h2] = handlersOf(plan);
      expect([ledger.isOwed(h1!), ledger.isOwed(h2!)]).to.deep.equal([false, true]);
      expect(
        ledger
          .forRole(plan.roles[0]!)
          .toRun()
          .map((s) => s.task.name),
      ).to.deep.equal(['h2']);
      expect(ledger.stillToRun(plan).map((s) => s.task.name)).to.deep.equal(['h2']);
    });

    it('a task that changed something notifies its handlers; a handler that ran is no longer still to run', () => {
      const { plan } = hostOf(roleYaml('h2, h1'), handlers);
      const ledger = new HandlerLedger();
      ledger.takeOwed(plan, new Map());
      const step: PlannedStep = { ...tasksOf(plan)[0]!, result: result('changed'), changes: [{ what: 'x', script: 'true' }] };
      const role = ledger.forRole(plan.roles[0]!);
      role.changed(step);
      expect(role.needsApplyFirst()).to.equal(false);
      expect(role.toRun().map((s) => s.task.name)).to.deep.equal(['h1', 'h2']);
      expect(ledger.stillToRun(plan)).to.deep.equal([]);
      ledger.record(step, step.result);
      expect(ledger.stillToRun(plan).map((s) => s.task.name)).to.deep.equal(['h1', 'h2']);
      const [h1] = handlersOf(plan);
      ledger.record({ ...h1!, result: { ...result('changed'), handler: true } }, { ...result('changed'), handler: true });
      expect(ledger.stillToRun(plan).map((s) => s.task.name)).to.deep.equal(['h2']);
    });

    it('a change the node decides notifies only once the node reported it changed something', () => {
      const { plan } = hostOf(roleYaml('h1'), handlers);
      for (const status of ['changed', 'ok'] as const) {
        const ledger = new HandlerLedger();
        ledger.takeOwed(plan, new Map());
        const step: PlannedStep = { ...tasksOf(plan)[0]!, result: result('changed'), changes: [decided] };
        const role = ledger.forRole(plan.roles[0]!);
        role.changed(step);
        expect(role.needsApplyFirst(), 'not reported yet').to.equal(true);
        ledger.record(step, result(status));
        expect(role.needsApplyFirst()).to.equal(false);
        expect(role.toRun().map((s) => s.task.name)).to.deep.equal(status === 'changed' ? ['h1'] : []);
      }
    });
  });
});

describe('after-facts: the verification read with the roles, at no round trip of its own (local transport, recorded)', () => {
  it('a read-only check of what a task wrote is judged on facts gathered at the end of the apply script', async () => {
    const { root, work } = (() => {
      const r = mkdtempSync(join(tmpdir(), 'provision-after-'));
      return { root: r, work: join(r, 'work') };
    })();
    mkdirSync(work);
    mkdirSync(join(root, 'roles', 'r'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'roles', 'variables.yaml'), `variables:\n  work:\n    type: path\n    default: ${work}\n    description: where the test writes\n`);
    const role = [
      'description: test role',
      'tasks:',
      ...commands(['a', 'touch {{work}}/a']),
      'verify:',
      '  - name: a is there',
      '    command: { argv: [test, -f, "{{work}}/a"], read_only: true }',
      '',
    ];
    writeFileSync(join(root, 'roles', 'r', 'role.yaml'), role.join('\n'));
    const inv = new Inventory();
    inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'], provision_verify: true });
    const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates') });
    const transport = new RecordingTransport();
    const results: TaskResult[] = [];
    await applyRun(prepared, {
      backupRoot: join(root, 'backups'),
      connect: async () => transport,
      listener: (e) => {
        if (e.type === 'task-result') results.push(e);
      },
    });
    expect(results.map((r) => `${r.task}: ${r.status}`)).to.deep.equal(['a: changed', 'verify node: ok']);
    // The probe rides on the first gather (read-only) and again on the apply script, whose end gathers it afresh: no script after it.
    const apply = transport.scripts.findIndex((script) => script.includes(`touch ${work}/a`));
    expect(apply).to.be.above(-1);
    expect(transport.scripts[apply], 'the check rides on the apply script').to.contain(`test -f ${work}/a`);
    expect(transport.scripts.length, 'no round trip after the apply script').to.equal(apply + 1);
  });
});
