import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('Ctrl-C during a batch (one script for several tasks)', function () {
  this.timeout(60_000);

  it('the node is told to start no new task: the running one finishes, the rest never start, exit 99', async () => {
    const root = mkdtempSync(join(tmpdir(), 'provision-sigint-batch-'));
    mkdirSync(join(root, 'roles', 'slow'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    // Copies predict their result, so the three go to the node as one batch; each validation takes 1.5 s.
    writeFileSync(
      join(root, 'roles', 'slow', 'role.yaml'),
      [
        'description: slow writes',
        'tasks:',
        ...[1, 2, 3].map((i) => `  - name: step ${i}\n    copy: { content: "${i}\\n", dest: "${root}/f${i}", validate: "sleep 1.5 && test -s %s" }`),
        '',
      ].join('\n'),
    );
    writeFileSync(join(root, 'hosts'), `[g]\nlocal ansible_connection=local provision_roles="['slow']" provision_verify=false\n`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', '-i', join(root, 'hosts'), '--report', join(root, 'report.json'), '--retry-file', ''],
      {
        env: { ...process.env, PROVISION_ROLES_DIR: join(root, 'roles'), PROVISION_TEMPLATE_DIR: join(root, 'templates'), CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Interrupt as soon as step 1's file is in place, while step 2 validates.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 30_000;
      const timer = setInterval(() => {
        if (existsSync(join(root, 'f1')) || Date.now() > deadline) {
          clearInterval(timer);
          if (existsSync(join(root, 'f1'))) resolve();
          else reject(new Error(`step 1 never finished: ${stdout}`));
        }
      }, 20);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).to.equal(99);
    const report = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8'));
    expect(report.tasks.map((t: { task: string; status: string }) => `${t.task}: ${t.status}`)).to.deep.equal(['step 1: changed', 'step 2: changed']);
    expect(readFileSync(join(root, 'f2'), 'utf8')).to.equal('2\n');
    expect(existsSync(join(root, 'f3'))).to.equal(false);
  });
});
