import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, TaskResult } from '../../src/core/events.js';
import { prepareRun } from '../../src/plan/prepare.js';
import { applyRun } from '../../src/rollout/rollout.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { LocalTransport } from '../../src/transport/local-transport.js';

/**
 * The engine on this machine through the local transport (ansible_connection=local), with roles
 * written for the test: every write lands in a temporary directory.
 */
describe('engine: apply, check, diff, handlers and failures (local transport)', function () {
  this.timeout(30_000);

  function setup(roleYaml: string, templates: Record<string, string> = {}) {
    const root = mkdtempSync(join(tmpdir(), 'provision-engine-'));
    const work = join(root, 'work');
    mkdirSync(work);
    mkdirSync(join(root, 'roles', 'r'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(
      join(root, 'roles', 'variables.yaml'),
      `variables:\n  work:\n    type: path\n    default: ${work}\n    description: where the test writes\n  greeting:\n    type: string\n    default: hello valid\n    description: content\n`,
    );
    writeFileSync(join(root, 'roles', 'r', 'role.yaml'), roleYaml);
    for (const [n, t] of Object.entries(templates)) writeFileSync(join(root, 'templates', n), t);
    const run = async (opts: { check?: boolean; diff?: boolean; extra?: Record<string, unknown> } = {}) => {
      const inv = new Inventory();
      inv.addHost('g', 'local', { ansible_connection: 'local', provision_roles: ['r'] });
      const prepared = prepareRun({ inventory: inv.finalize(), rolesDir: join(root, 'roles'), templateDir: join(root, 'templates'), extraVars: opts.extra });
      const events: RunEvent[] = [];
      const summary = await applyRun(prepared, {
        check: opts.check,
        diff: opts.diff,
        backupRoot: join(root, 'backups'),
        connect: async () => new LocalTransport(),
        listener: (e) => events.push(e),
      });
      const results = events.filter((e): e is RunEvent & TaskResult => e.type === 'task-result');
      return { summary, results, byTask: (name: string) => results.find((r) => r.task === name)! };
    };
    return { root, work, run };
  }

  const role = `
description: test role
tasks:
  - name: dir
    directory: { path: "{{work}}/etc", mode: "0755" }
  - name: conf
    template: { src: conf.hbs, dest: "{{work}}/etc/app.conf", mode: "0640", validate: "grep -q valid %s" }
    notify: [note restart]
  - name: later
    command: { cmd: "test -f {{work}}/etc/app.conf && exit 7 || true" }
handlers:
  - name: note restart
    copy: { content: "restarted\\n", dest: "{{work}}/restarted" }
`;

  it('applies, then a second run changes nothing; check mode on a converged host reports 0 changes', async () => {
    const { work, run } = setup(role.replace('exit 7 || true', 'true'), { 'conf.hbs': '{{greeting}}\n' });
    const first = await run();
    expect(first.summary.exitCode).to.equal(0);
    expect(readFileSync(join(work, 'etc/app.conf'), 'utf8')).to.equal('hello valid\n');
    expect(readFileSync(join(work, 'restarted'), 'utf8')).to.equal('restarted\n');
    const second = await run();
    // The command task always reports a change (no creates/removes): everything else is ok.
    expect(second.results.filter((r) => r.status === 'changed').map((r) => r.task)).to.deep.equal(['later']);
    const check = await run({ check: true });
    expect(check.results.filter((r) => r.status === 'changed').map((r) => r.task)).to.deep.equal(['later']);
  });

  it('a failed validation leaves the target untouched, with no temporary file; handlers notified before still run', async () => {
    const { work, run } = setup(role, { 'conf.hbs': '{{greeting}}\n' });
    const first = await run();
    // "later" fails (exit 7) after "conf" changed and notified: the handler still ran.
    expect(first.byTask('later').status).to.equal('failed');
    expect(first.byTask('later').error).to.match(/^exit 7/);
    expect(first.byTask('note restart')).to.deep.include({ status: 'changed', handler: true });
    expect(first.summary.exitCode).to.equal(2);

    const before = readFileSync(join(work, 'etc/app.conf'));
    const bad = await run({ extra: { greeting: 'broken' } });
    const conf = bad.byTask('conf');
    expect(conf.status).to.equal('failed');
    expect(conf.error).to.match(/validation failed: grep -q valid %s/);
    expect(readFileSync(join(work, 'etc/app.conf'))).to.deep.equal(before);
    expect(readdirSync(join(work, 'etc'))).to.deep.equal(['app.conf']);
    // The failure stopped the host: the task after it never ran.
    expect(bad.results.map((r) => r.task)).to.not.include('later');
  });

  it('--diff shows the content change; the replaced file is kept under the run backup', async () => {
    const { root, work, run } = setup(role.replace('exit 7 || true', 'true').replace('"0640"', '"0644"'), { 'conf.hbs': '{{greeting}}\n' });
    await run();
    const changed = await run({ diff: true, extra: { greeting: 'goodbye valid' } });
    const conf = changed.byTask('conf');
    expect(conf.diffs).to.deep.equal([{ path: join(work, 'etc/app.conf'), before: 'hello valid\n', after: 'goodbye valid\n' }]);
    const backup = join(root, 'backups', changed.summary.runId, work, 'etc/app.conf');
    expect(readFileSync(backup, 'utf8')).to.equal('hello valid\n');
    expect(existsSync(backup)).to.equal(true);
  });

  it('--diff of a file others may not read (0640) shows checksums, never the content', async () => {
    const { run } = setup(role.replace('exit 7 || true', 'true'), { 'conf.hbs': '{{greeting}}\n' });
    await run();
    const changed = await run({ diff: true, extra: { greeting: 'goodbye valid' } });
    const diffs = changed.byTask('conf').diffs!;
    expect(diffs).to.have.length(1);
    expect(diffs[0]!.before).to.match(/^\(sha256 [0-9a-f]{12}; content not shown: others may not read it\)\n$/);
    expect(diffs[0]!.after).to.match(/^\(sha256 [0-9a-f]{12}; content not shown: others may not read it\)\n$/);
    expect(JSON.stringify(diffs)).not.to.include('valid');
  });

  it('check mode changes nothing and reports what apply then does', async () => {
    const { work, run } = setup(role.replace('exit 7 || true', 'true'), { 'conf.hbs': '{{greeting}}\n' });
    const check = await run({ check: true });
    expect(existsSync(join(work, 'etc'))).to.equal(false);
    const apply = await run();
    const changed = (x: typeof check) => x.results.filter((r) => r.status === 'changed').map((r) => [r.task, r.changes]);
    expect(changed(check)).to.deep.equal(changed(apply));
  });
});
