import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('Ctrl-C during a run', function () {
  this.timeout(60_000);

  for (const progress of ['plain', 'listr']) {
    it(`lets the running task finish, starts no new one, writes the report and exits 99 (--progress ${progress})`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'provision-sigint-'));
      mkdirSync(join(root, 'roles', 'slow'), { recursive: true });
      mkdirSync(join(root, 'templates'));
      writeFileSync(
        join(root, 'roles', 'slow', 'role.yaml'),
        [
          'description: slow steps',
          'tasks:',
          ...[1, 2, 3].map((i) => `  - name: step ${i}\n    command: { cmd: "echo ${i} >> ${root}/started; sleep 1.5; echo ${i} >> ${root}/done" }`),
          '',
        ].join('\n'),
      );
      writeFileSync(join(root, 'hosts'), `[g]\nlocal ansible_connection=local provision_roles="['slow']"\n`);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', '-i', join(root, 'hosts'), '--report', join(root, 'report.json'), '--retry-file', '', '--progress', progress],
        {
          env: { ...process.env, PROVISION_ROLES_DIR: join(root, 'roles'), PROVISION_TEMPLATE_DIR: join(root, 'templates'), CI: 'true' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      // Interrupt once step 2 has started on the host (1.5 s to go), not merely after step 1: a loaded
      // machine may take longer than that between two tasks.
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 30_000;
        const timer = setInterval(() => {
          let started = '';
          try {
            started = readFileSync(join(root, 'started'), 'utf8');
          } catch {
            // not yet
          }
          if (started === '1\n2\n' || Date.now() > deadline) {
            clearInterval(timer);
            if (started === '1\n2\n') resolve();
            else reject(new Error(`step 2 never started: ${stdout}`));
          }
        }, 20);
      });
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).to.equal(99);
      const report = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8'));
      // Step 1 finished before the interrupt; step 2 was running and finished; step 3 never started.
      expect(report.tasks.map((t: { task: string; status: string }) => `${t.task}: ${t.status}`)).to.deep.equal(['step 1: changed', 'step 2: changed']);
      expect(readFileSync(join(root, 'done'), 'utf8')).to.equal('1\n2\n');
      expect(stdout).to.match(/^local : ok=0 changed=2 unreachable=0 failed=0 skipped=0$/m);
    });
  }

  it('the second Ctrl-C aborts at once with exit 99, naming the hosts that may be mid-task', async () => {
    const root = mkdtempSync(join(tmpdir(), 'provision-sigint2-'));
    mkdirSync(join(root, 'roles', 'slow'), { recursive: true });
    mkdirSync(join(root, 'templates'));
    writeFileSync(
      join(root, 'roles', 'slow', 'role.yaml'),
      ['description: one long step', 'tasks:', `  - name: long step\n    command: { cmd: "touch ${root}/started; sleep 20; touch ${root}/finished" }`, ''].join(
        '\n',
      ),
    );
    writeFileSync(join(root, 'hosts'), `[g]\nlocal ansible_connection=local provision_roles="['slow']"\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '-i', join(root, 'hosts'), '--retry-file', ''], {
      env: { ...process.env, PROVISION_ROLES_DIR: join(root, 'roles'), PROVISION_TEMPLATE_DIR: join(root, 'templates'), CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; i < 1500 && !existsSync(join(root, 'started')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(root, 'started')), stderr).to.equal(true);
    const began = Date.now();
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).to.equal(99);
    // Not after the 20 s step.
    expect(Date.now() - began).to.be.below(10_000);
    expect(stderr)
      .to.match(/interrupted: running tasks finish/)
      .and.match(/aborted: these hosts may be mid-task; run provision on them again: local\n {2}--limit local\n/);
    expect(existsSync(join(root, 'finished'))).to.equal(false);
  });
});
