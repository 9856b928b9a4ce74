import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, resumePlan, selectionKey } from '../../../src/rollout/journal.js';

/** The run journal on disk (a temp directory) and what a resume makes of it. */
describe('rollout journal', () => {
  const selection = { inventory: ['/inv/hosts.ini'], limit: 'workers', roles: [], extraVars: [] };
  const begin = (dir: string, runId: string) =>
    Journal.begin(dir, { runId, key: selectionKey(selection), selection, startedAt: '2026-12-02T00:00:00Z', strategy: 'waves', waves: [] });

  it('writes each state as it is reached, by rename (no temp file left), readable at every step', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-journal-'));
    const j = begin(dir, '20261202T000000Z-aaaaaa');
    j.listener({ type: 'host-state', host: 'w1', state: 'drained' });
    expect(JSON.parse(readFileSync(join(dir, '20261202T000000Z-aaaaaa.json'), 'utf8')).hosts).to.deep.equal({ w1: ['drained'] });
    j.listener({ type: 'wave-start', index: 1, of: 2, hosts: ['w1'] });
    j.listener({ type: 'host-state', host: 'w1', state: 'applied' });
    const read = Journal.read(dir, '20261202T000000Z-aaaaaa').data;
    expect(read.hosts).to.deep.equal({ w1: ['drained', 'applied'] });
    expect(read.waves).to.deep.equal([['w1']]);
    expect(readdirSync(dir)).to.deep.equal(['20261202T000000Z-aaaaaa.json']);
  });

  it('resumes the latest run of the same selection, and refuses another selection or a bad id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-journal-'));
    begin(dir, '20261202T000000Z-aaaaaa');
    begin(dir, '20261202T010000Z-bbbbbb');
    Journal.begin(dir, {
      runId: '20261202T020000Z-cccccc',
      key: selectionKey({ ...selection, limit: 'other' }),
      selection: { ...selection, limit: 'other' },
      startedAt: '',
      strategy: 'waves',
      waves: [],
    });
    expect(Journal.resume(dir, selection).data.runId).to.equal('20261202T010000Z-bbbbbb');
    expect(Journal.resume(dir, selection, '20261202T000000Z-aaaaaa').data.runId).to.equal('20261202T000000Z-aaaaaa');
    expect(() => Journal.resume(dir, selection, '20261202T020000Z-cccccc')).to.throw(/resume it with the same inventory, --limit, roles and -e/);
    expect(() => Journal.resume(dir, { ...selection, extraVars: ['a=1'] })).to.throw(/no run of this inventory/);
    expect(() => Journal.resume(dir, selection, '../etc/passwd')).to.throw(/--resume takes a run id/);
  });

  it('a resume skips done hosts, retries failed ones only when asked, and knows which are left drained', () => {
    const data = {
      hosts: {
        done: ['drained', 'applied', 'verified', 'uncordoned', 'done'],
        converged: ['verified', 'done'],
        cut: ['drained', 'applied'],
        unverified: ['drained', 'applied', 'failed'],
        neverDrained: ['applied', 'failed'],
        uncordonCut: ['drained', 'applied', 'verified'],
      },
    } as never;
    const plan = resumePlan(data, false);
    expect(plan.done).to.deep.equal(['done', 'converged']);
    expect(plan.failed).to.deep.equal(['unverified', 'neverDrained']);
    expect([...plan.drained]).to.deep.equal(['cut', 'unverified', 'uncordonCut']);
    expect(resumePlan(data, true).failed).to.deep.equal([]);
  });
});
