import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonReport } from '../../../src/cli/reporters/json-report.js';
import { LiveView } from '../../../src/cli/reporters/live-view.js';
import { formatOutcome } from '../../../src/cli/reporters/outcome.js';
import { plainReporter } from '../../../src/cli/reporters/plain-reporter.js';
import { formatRecap } from '../../../src/cli/reporters/recap.js';
import { ConnectionLostError } from '../../../src/core/errors.js';
import type { RunEvent, TaskResult } from '../../../src/core/events.js';
import { ExitCode } from '../../../src/core/exit-codes.js';
import { markerPath } from '../../../src/apply/owed-handlers.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import { applyRun } from '../../../src/rollout/rollout.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import type { RunOptions } from '../../../src/transport/transport.js';

/** The local transport, except that the connection "breaks" while a script holding LOSE-HERE runs. */
class BreakingTransport extends LocalTransport {
  scripts: string[] = [];
  override async run(script: string, opts?: RunOptions) {
    if (this.scripts.some((s) => s.includes('LOSE-HERE')))
      throw new ConnectionLostError('lost the connection to local: the connection was closed', { host: 'local' });
    this.scripts.push(script);
    if (script.includes('LOSE-HERE')) throw new ConnectionLostError('lost the connection to local: the connection was closed', { host: 'local' });
    return super.run(script, opts);
  }
}

describe('a connection lost while a task applies: the engine and every reporter', () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-lost-'));
  const work = join(root, 'work');
  let events: RunEvent[];
  let summary: Awaited<ReturnType<typeof applyRun>>;
  let transport: BreakingTransport;

  before(async () => {
    rmSync(markerPath('r', 'after first'), { force: true });
    mkdirSync(work);
    mkdirSync(join(root, 'roles', 'r'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'roles', 'variables.yaml'), `variables:\n  work:\n    type: path\n    default: ${work}\n    description: where the test writes\n`);
    writeFileSync(
      join(root, 'roles', 'r', 'role.yaml'),
      [
        'description: test role',
        'tasks:',
        '  - name: first',
        '    copy: { content: "x\\n", dest: "{{work}}/first" }',
        '    notify: [after first]',
        '  - name: breaks',
        '    command: { cmd: "echo LOSE-HERE" }',
        '  - name: never',
        '    command: { cmd: "touch {{work}}/never" }',
        'handlers:',
        '  - name: after first',
        '    command: { cmd: "touch {{work}}/handler" }',
        '',
      ].join('\n'),
    );
    const inv = new Inventory();
    inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
    const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates') });
    events = [];
    transport = new BreakingTransport();
    summary = await applyRun(prepared, {
      backupRoot: join(root, 'backups'),
      connect: async () => transport,
      listener: (e) => events.push(e),
    });
  });

  const results = () => events.filter((e): e is RunEvent & TaskResult => e.type === 'task-result');

  it('reports the task "unknown", tries nothing more on the connection (no handler), and the host is unreachable: exit 4', () => {
    expect(results().map((r) => `${r.task}: ${r.status}`)).to.deep.equal(['first: changed', 'breaks: unknown']);
    expect(results()[1]!.error).to.equal(
      'lost the connection to local: the connection was closed: whether these changes were made is unknown; the next run finds out',
    );
    expect(transport.scripts.filter((s) => s.includes(`${work}/handler`) || s.includes(`${work}/never`))).to.deep.equal([]);
    expect(events.filter((e) => e.type === 'host-unreachable')).to.have.length(1);
    // What was counted before the loss is kept.
    expect(summary.stats.local).to.deep.include({ changed: 1, unknown: 1, unreachable: 1, failed: 0 });
    expect(summary.exitCode).to.equal(ExitCode.unreachable);
  });

  it('recap: unknown=1 on the host line, Ansible lines unchanged otherwise', () => {
    expect(formatRecap(summary.stats)).to.match(/^local : ok=\d+ changed=1 unreachable=1 failed=0 skipped=\d+ unknown=1$/m);
    expect(formatRecap({ other: { ok: 1, changed: 0, unreachable: 0, failed: 0, skipped: 0, unknown: 0 } })).to.match(
      /^other : ok=1 changed=0 unreachable=0 failed=0 skipped=0$/m,
    );
  });

  it('outcome: an OUTCOME UNKNOWN section names the host, the task and its changes', () => {
    const out = formatOutcome(results(), [{ host: 'local', error: 'lost the connection to local: the connection was closed' }]);
    expect(out).to.match(
      /^OUTCOME UNKNOWN \(the connection was lost while applying; the next run finds out and finishes\)\nlocal: r > breaks: run: echo LOSE-HERE$/m,
    );
    expect(out).to.match(/^UNREACHABLE\n/m);
  });

  it('plain lines: UNKNOWN for the task, unreachable for the host with unknown=1', () => {
    const lines: string[] = [];
    const listener = plainReporter((l) => lines.push(l));
    for (const e of events) listener(e);
    const text = lines.join('');
    expect(text)
      .to.match(/^UNKNOWN: local \| r \| breaks\n {4}lost the connection/m)
      .and.match(/^UNREACHABLE: local: /m)
      .and.match(/^unreachable: local ok=\d+ changed=1 failed=0 skipped=\d+ unknown=1$/m);
  });

  it('JSON report: the task with status "unknown", the summary with unknown: 1', () => {
    const report = new JsonReport();
    for (const e of events) report.listener(e);
    const body = report.body(summary.stats) as { summary: Record<string, { unknown: number }>; tasks: { task: string | null; status: string }[] };
    expect(body.summary.local!.unknown).to.equal(1);
    expect(body.tasks.map((t) => `${t.task}: ${t.status}`)).to.deep.equal(['first: changed', 'breaks: unknown', 'null: unreachable']);
  });

  it('live view (listr): the host shows the unknown task until it ends, then counts as unreachable', () => {
    const view = new LiveView(1);
    const upTo = events.findIndex((e) => e.type === 'task-result' && e.status === 'unknown');
    for (const e of events.slice(0, upTo + 1)) view.update(e);
    expect(view.runningLines(5)).to.deep.equal(['local: r > breaks: outcome unknown']);
    for (const e of events.slice(upTo + 1)) view.update(e);
    expect(view.counts).to.deep.equal({ done: 0, failed: 0, unreachable: 1 });
  });

  it('the next run finishes it: the handler the lost run owed runs although its task has nothing left to change, then is owed no more', async () => {
    expect(existsSync(markerPath('r', 'after first')), 'marker left by the lost run').to.equal(true);
    const inv = new Inventory();
    inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
    const again = async () => {
      const seen: RunEvent[] = [];
      const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates') });
      await applyRun(prepared, { backupRoot: join(root, 'backups'), connect: async () => new LocalTransport(), listener: (e) => seen.push(e) });
      return seen.filter((e): e is RunEvent & TaskResult => e.type === 'task-result').map((r) => `${r.task}: ${r.status}`);
    };
    expect(await again()).to.include.members(['first: ok', 'after first: changed']);
    expect(existsSync(join(work, 'handler'))).to.equal(true);
    expect(existsSync(markerPath('r', 'after first'))).to.equal(false);
    expect(await again()).to.not.include('after first: changed');
  });
});
