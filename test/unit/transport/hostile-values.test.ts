import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change } from '../../../src/core/change.js';
import { probeScript } from '../../../src/facts/probe-script.js';
import { TASK_TYPES } from '../../../src/tasks/task-list.js';
import type { PlanContext } from '../../../src/tasks/task-type.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/**
 * Values from inventories and roles reach shell scripts as paths, names and contents. Each
 * hostile value below would run `touch <canary>` if it were not quoted; the tasks run for real
 * (facts, plan, apply) and the canary must never appear.
 */
describe('hostile values never run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-hostile-'));
  const canary = join(dir, 'PWNED');
  const payloads = [
    `'; touch ${canary}; '`,
    `"; touch ${canary}; "`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `x\ntouch ${canary}\n`,
    `a b; touch ${canary} #`,
    `-rf ${canary}`,
  ];

  async function apply(type: string, args: Record<string, unknown>, content?: string): Promise<Change[]> {
    const t = new LocalTransport();
    const ctx: PlanContext = { check: false, diff: false, backupDir: join(dir, 'backup'), content };
    const probes = probeScript(TASK_TYPES[type]!.facts(args, ctx));
    const facts = probes.parse((await t.run(probes.script)).stdout);
    let plan: ReturnType<(typeof TASK_TYPES)[string]['plan']>;
    try {
      plan = TASK_TYPES[type]!.plan(args, facts, ctx);
    } catch {
      return [];
    }
    if (!('changes' in plan)) return [];
    for (const c of plan.changes) await t.run(`(\nset -e\n${c.script}\n)`);
    return plan.changes;
  }

  payloads.forEach((p, i) => {
    it(`payload ${JSON.stringify(p)} as paths, targets, names, content and URLs`, async () => {
      const sub = join(dir, `case${i}`);
      mkdirSync(sub);
      // As a file name the payload must be one path component: its slashes become U+2215.
      const name = p.replace(/\//g, '\u2215');
      const path = join(sub, name);
      await apply('directory', { path: join(sub, `d${name}`), mode: '0755' });
      await apply('copy', { dest: path, content: p, mode: '0600' }, p);
      await apply('file', { path, state: 'touch' });
      await apply('link', { path: join(sub, `l${name}`), target: p });
      await apply('file', { path: join(sub, `d${name}`), state: 'absent' });
      await apply('download', { url: `http://127.0.0.1:9/${p}`, dest: join(sub, `dl${name}`), sha256: 'a'.repeat(64) });
      await apply('command', { cmd: 'true', creates: p });
      await apply('group', { name: p, state: 'absent' });
      await apply('systemd', { name: p, state: 'stopped' });
      expect(existsSync(canary), `canary created by ${JSON.stringify(p)}`).to.equal(false);
      // The hostile names were taken literally: the file and link exist under their odd names.
      expect(readdirSync(sub).sort()).to.deep.equal([name, `l${name}`].sort());
      expect(readFileSync(path, 'utf8')).to.equal(p);
    });
  });

  it('the canary check works: the payload pasted into a quoted word does create it', async () => {
    const t = new LocalTransport();
    await t.run(`echo '${payloads[0]}'`);
    expect(existsSync(canary)).to.equal(true);
    rmSync(canary);
  });
});
