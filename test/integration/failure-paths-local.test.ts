import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { localRole } from '../helpers/local-role.js';

/**
 * The failure paths of the CLI on this machine (ansible_connection=local): a task past its time
 * limit, and a closed stdout. The same paths over SSH on real nodes: test/e2e/failures.test.ts.
 */
describe('failure paths of a run (local connection)', function () {
  this.timeout(120_000);
  const marker = `provision-hung-${process.pid}`;
  const { root, env } = localRole('hang', (root) => [
    'description: a step, then one that hangs unless told not to',
    'variables:',
    '  hang_seconds: { type: integer, default: 313, description: how long the hung step sleeps }',
    'tasks:',
    `  - name: first step\n    command: { cmd: "echo 1 >> ${root}/steps" }\n    notify: after first`,
    // A process group of its own would escape; a plain child of the script is ended with it.
    `  - name: hung step\n    command: { cmd: "sh -c 'sleep {{hang_seconds}}; echo ${marker}' ; echo 2 >> ${root}/steps" }`,
    'handlers:',
    `  - name: after first\n    command: { cmd: "echo handler >> ${root}/steps" }`,
  ]);

  const steps = () => (existsSync(join(root, 'steps')) ? readFileSync(join(root, 'steps'), 'utf8') : '');

  it('--task-timeout fails a hung task "timed out", ends its processes, and the connection serves the handler after it', () => {
    writeFileSync(join(root, 'steps'), '');
    const began = Date.now();
    const r = runCli(['-i', join(root, 'hosts'), '--report', join(root, 'timeout.json'), '--retry-file', '', '--task-timeout', '2'], { env });
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(Date.now() - began).to.be.below(60_000);
    const tasks = JSON.parse(readFileSync(join(root, 'timeout.json'), 'utf8')).tasks;
    expect(tasks.map((t: { task: string; status: string }) => `${t.task}: ${t.status}`)).to.deep.equal([
      'first step: changed',
      'hung step: failed',
      'after first: changed',
    ]);
    expect(tasks[1].error).to.match(/^timed out after 2 s/);
    expect(r.stdout).to.match(/timed out after 2 s/);
    // The handler ran after the timeout, over the same connection; the sleep is gone.
    expect(steps()).to.equal('1\nhandler\n');
    expect(spawnSync('pgrep', ['-f', 'sleep 313'], { encoding: 'utf8' }).stdout.trim(), 'the hung sleep still runs').to.equal('');
  });

  it('provision_task_timeout in the inventory sets the limit; --task-timeout 0 lifts it', () => {
    writeFileSync(join(root, 'hosts2'), `[g]\nlocal ansible_connection=local provision_roles="['hang']" provision_task_timeout=1 hang_seconds=3\n`);
    const limited = runCli(['-i', join(root, 'hosts2'), '--report', join(root, 'var.json'), '--retry-file', ''], { env });
    expect(limited.code).to.equal(2);
    expect(JSON.parse(readFileSync(join(root, 'var.json'), 'utf8')).tasks[1].error).to.match(/^timed out after 1 s/);
    const unlimited = runCli(['-i', join(root, 'hosts2'), '--report', join(root, 'nolimit.json'), '--retry-file', '', '--task-timeout', '0'], { env });
    expect(unlimited.code, unlimited.stdout + unlimited.stderr).to.equal(0);
  });

  it('refuses a --task-timeout that is not a whole number of seconds (usage, exit 5)', () => {
    const r = runCli(['-i', join(root, 'hosts'), '--task-timeout', '2m'], { env });
    expect(r.code).to.equal(5);
    expect(r.stderr).to.include('--task-timeout must be a whole number of seconds');
  });

  it('a closed stdout (| head -1) switches output off: the run, the report and the exit code go on', () => {
    writeFileSync(join(root, 'steps'), '');
    writeFileSync(join(root, 'hosts3'), `[g]\nlocal ansible_connection=local provision_roles="['hang']" hang_seconds=0\n`);
    const cli = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', '-i', join(root, 'hosts3'), '--report', join(root, 'pipe.json'), '-v'];
    const r = spawnSync('bash', ['-c', `${cli.map((a) => `'${a}'`).join(' ')} | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    expect(r.stdout.split('\n').filter(Boolean)).to.have.length(1);
    expect(r.stderr).to.match(/exit=0\n$/);
    expect(r.stderr).not.to.match(/EPIPE|internal error/);
    expect(steps()).to.equal('1\n2\nhandler\n');
    expect(JSON.parse(readFileSync(join(root, 'pipe.json'), 'utf8')).summary.local).to.include({ changed: 3, failed: 0 });
  });
});
