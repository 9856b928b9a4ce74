import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, TaskResult } from '../../src/core/events.js';
import { prepareRun } from '../../src/plan/prepare.js';
import { applyRun } from '../../src/rollout/rollout.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { LocalTransport } from '../../src/transport/local-transport.js';

/**
 * A host's changes applied as one apply script (local transport, real sh): few round trips, yet progress
 * stays live and task by task, a failed task stops the host with its own error, and the handlers it
 * had notified still run.
 */
describe('engine: a host applied in one apply script, reported task by task (local transport)', function () {
  this.timeout(30_000);
  const root = mkdtempSync(join(tmpdir(), 'provision-batch-'));
  const work = join(root, 'work');

  before(() => {
    mkdirSync(work);
    mkdirSync(join(root, 'roles', 'r'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(
      join(root, 'roles', 'variables.yaml'),
      `variables:\n  work:\n    type: path\n    default: ${work}\n    description: where the test writes\n  check3:\n    type: string\n    default: "true"\n    description: third file's validator\n`,
    );
    writeFileSync(
      join(root, 'roles', 'r', 'role.yaml'),
      `description: test role
tasks:
  - name: dir
    directory: { path: "{{work}}/d", mode: "0755" }
  - name: one
    copy: { content: "1\\n", dest: "{{work}}/d/one" }
    notify: [mark]
  - name: slow
    copy: { content: "2\\n", dest: "{{work}}/d/two", validate: "sleep 1 && test -s %s" }
  - name: three
    copy: { content: "3\\n", dest: "{{work}}/d/three", validate: "{{check3}} %s" }
  - name: four
    copy: { content: "4\\n", dest: "{{work}}/d/four" }
handlers:
  - name: mark
    copy: { content: "handled\\n", dest: "{{work}}/handled" }
`,
    );
  });

  async function run(extra: Record<string, unknown> = {}) {
    const inv = new Inventory();
    inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
    const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates'), extraVars: extra });
    const events: (RunEvent & { at: number })[] = [];
    const summary = await applyRun(prepared, {
      backupRoot: join(root, 'backups'),
      connect: async () => new LocalTransport(),
      listener: (e) => events.push({ ...e, at: Date.now() }),
    });
    const results = events.filter((e): e is RunEvent & TaskResult & { at: number } => e.type === 'task-result');
    const hostEnd = events.find((e) => e.type === 'host-end') as { roundTrips?: number } | undefined;
    return { summary, events, results, roundTrips: hostEnd?.roundTrips, byTask: (name: string) => results.find((r) => r.task === name)! };
  }

  it('applies five changes and a handler in one apply script: one gather and one apply script', async () => {
    const r = await run();
    expect(r.summary.exitCode).to.equal(0);
    expect(r.results.map((x) => [x.task, x.status])).to.deep.equal([
      ['dir', 'changed'],
      ['one', 'changed'],
      ['slow', 'changed'],
      ['three', 'changed'],
      ['four', 'changed'],
      ['mark', 'changed'],
    ]);
    // The gather (which plans everything), then the apply script: one for all six.
    expect(r.roundTrips).to.equal(2);
    expect(readFileSync(join(work, 'handled'), 'utf8')).to.equal('handled\n');
  });

  it('progress is live: each task starts after the one before ended, and a slow one is seen running', async () => {
    for (const f of ['one', 'two', 'three', 'four']) writeFileSync(join(work, 'd', f), 'drift\n');
    const r = await run();
    const seq = r.events
      .filter((e) => e.type === 'task-start' || e.type === 'task-result')
      .map((e) => `${e.type === 'task-start' ? 'start' : 'end'} ${(e as { task: string }).task}`);
    expect(seq.slice(0, 8)).to.deep.equal(['start dir', 'end dir', 'start one', 'end one', 'start slow', 'end slow', 'start three', 'end three']);
    // "one" was reported while "slow" (a 1 s validation) still ran on the node, not when the script ended.
    expect(r.byTask('slow').at - r.byTask('one').at).to.be.at.least(900);
  });

  it('a failed task stops the host with its own error; the tasks after it never run; the handler it notified runs', async () => {
    for (const f of ['one', 'three', 'four']) writeFileSync(join(work, 'd', f), 'drift\n');
    writeFileSync(join(work, 'handled'), 'old\n');
    const r = await run({ check3: 'false' });
    expect(r.summary.exitCode).to.equal(2);
    expect(r.results.map((x) => [x.task, x.status])).to.deep.equal([
      ['dir', 'ok'],
      ['one', 'changed'],
      ['slow', 'ok'],
      ['three', 'failed'],
      ['mark', 'changed'],
    ]);
    expect(r.byTask('three').error).to.match(/^exit 1: validation failed: false %s/);
    expect(readFileSync(join(work, 'd', 'three'), 'utf8')).to.equal('drift\n');
    expect(readFileSync(join(work, 'd', 'four'), 'utf8')).to.equal('drift\n');
    expect(existsSync(join(work, 'd', 'one'))).to.equal(true);
    expect(readFileSync(join(work, 'handled'), 'utf8')).to.equal('handled\n');
  });
});
