import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localRole, spawnCli, waitUntil } from '../../helpers/local-role.js';

describe('Ctrl-C during a run', function () {
  this.timeout(60_000);
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

  for (const progress of ['plain', 'listr']) {
    it(`lets the running task finish, starts no new one, writes the report and exits 99 (--progress ${progress})`, async () => {
      const role = localRole('slow', (root) => [
        'description: slow steps',
        'tasks:',
        ...[1, 2, 3].map((i) => `  - name: step ${i}\n    command: { cmd: "echo ${i} >> ${root}/started; sleep 1.5; echo ${i} >> ${root}/done" }`),
      ]);
      const run = spawnCli(role, ['--report', join(role.root, 'report.json'), '--progress', progress]);
      // Interrupt once step 2 has started on the host (1.5 s to go), not merely after step 1: a loaded
      // machine may take longer than that between two tasks.
      await waitUntil(() => read(join(role.root, 'started')) === '1\n2\n', 'step 2 starting');
      run.child.kill('SIGINT');
      expect(await run.exit).to.equal(99);
      const report = JSON.parse(readFileSync(join(role.root, 'report.json'), 'utf8'));
      // Step 1 finished before the interrupt; step 2 was running and finished; step 3 never started.
      expect(report.tasks.map((t: { task: string; status: string }) => `${t.task}: ${t.status}`)).to.deep.equal(['step 1: changed', 'step 2: changed']);
      expect(readFileSync(join(role.root, 'done'), 'utf8')).to.equal('1\n2\n');
      expect(run.out.stdout).to.match(/^local : ok=0 changed=2 unreachable=0 failed=0 skipped=0$/m);
    });
  }

  it('the second Ctrl-C aborts at once with exit 99, naming the hosts that may be mid-task', async () => {
    const role = localRole('slow', (root) => [
      'description: one long step',
      'tasks:',
      `  - name: long step\n    command: { cmd: "touch ${root}/started; sleep 20; touch ${root}/finished" }`,
    ]);
    const run = spawnCli(role, []);
    await waitUntil(() => existsSync(join(role.root, 'started')), 'the long step starting');
    const began = Date.now();
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGINT');
    expect(await run.exit).to.equal(99);
    // Not after the 20 s step.
    expect(Date.now() - began).to.be.below(10_000);
    expect(run.out.stderr)
      .to.match(/interrupted: running tasks finish/)
      .and.match(/aborted: these hosts may be mid-task; run provision on them again: local\n {2}--limit local\n/);
    expect(existsSync(join(role.root, 'finished'))).to.equal(false);
  });
});
