import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localRole, spawnCli, waitUntil } from '../../helpers/local-role.js';

describe('Ctrl-C during an apply script (one script for several tasks)', function () {
  this.timeout(60_000);

  it('the node is told to start no new task: the running one finishes, the rest never start, exit 99', async () => {
    // Copies predict their result, so the three go to the node as one apply script; each validation takes 1.5 s.
    const role = localRole(
      'slow',
      (root) => [
        'description: slow writes',
        'tasks:',
        ...[1, 2, 3].map((i) => `  - name: step ${i}\n    copy: { content: "${i}\\n", dest: "${root}/f${i}", validate: "sleep 1.5 && test -s %s" }`),
      ],
      'provision_verify=false',
    );
    const run = spawnCli(role, ['--report', join(role.root, 'report.json')]);
    // Interrupt as soon as step 1's file is in place, while step 2 validates.
    await waitUntil(() => existsSync(join(role.root, 'f1')), 'step 1 finishing');
    run.child.kill('SIGINT');
    expect(await run.exit).to.equal(99);
    const report = JSON.parse(readFileSync(join(role.root, 'report.json'), 'utf8'));
    expect(report.tasks.map((t: { task: string; status: string }) => `${t.task}: ${t.status}`)).to.deep.equal(['step 1: changed', 'step 2: changed']);
    expect(readFileSync(join(role.root, 'f2'), 'utf8')).to.equal('2\n');
    expect(existsSync(join(role.root, 'f3'))).to.equal(false);
  });
});
