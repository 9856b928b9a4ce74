import { expect } from 'chai';
import { downloadFact } from '../../../src/facts/download-receipt.js';
import { TASK_TYPES } from '../../../src/tasks/task-list.js';
import type { PlanContext } from '../../../src/tasks/task-type.js';

const H = 'a'.repeat(64);

/** The download's curl command: its own limits, inside the task's time limit. */
function curlLine(ctx: Partial<PlanContext>): string {
  const args = { url: 'http://m/runc.amd64', dest: '/usr/local/sbin/runc', sha256: H };
  const facts = new Map([[downloadFact(args.url, args.dest, undefined).key, { dest: { exists: false }, quick: false }]]);
  const plan = TASK_TYPES.download!.plan(args, facts as never, { check: false, diff: false, backupDir: '/b', ...ctx });
  if (!('changes' in plan)) throw new Error('expected a change');
  return plan.changes[0]!.script.split('\n').find((l) => l.includes('curl -fsSL'))!;
}

describe('download: curl gives up on its own', () => {
  it('on a server that does not answer, a stalled transfer, and before the task time limit ends it', () => {
    expect(curlLine({ timeLimitS: 600 }))
      .to.include('--connect-timeout 30')
      .and.include('--speed-limit 1024 --speed-time 60')
      .and.include('--max-time 585');
  });

  it('keeps its 30-minute ceiling without a task time limit, and never goes below 10 s', () => {
    expect(curlLine({})).to.include('--max-time 1800');
    expect(curlLine({ timeLimitS: 5000 })).to.include('--max-time 1800');
    expect(curlLine({ timeLimitS: 12 })).to.include('--max-time 10');
  });
});
