import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostState } from '../../../src/core/events.js';
import { Journal, resumePlan, selectionKey } from '../../../src/rollout/journal.js';

/** The run journal on disk (a temp directory) and what a resume makes of it. */
describe('rollout journal', () => {
  const selection = { inventory: ['/inv/hosts.ini'], limit: 'workers', roles: [], extraVars: [] };
  const begin = (dir: string, runId: string) =>
    Journal.begin(dir, { runId, key: selectionKey(selection), selection, startedAt: '2026-12-02T00:00:00Z', strategy: 'waves', waves: [] });

  it('writes each state as it is reached (no temp file left), readable at every step', () => {
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
  it('on disk after every state, wave and resume, the file is one JSON document holding exactly what the journal holds', () => {
    const state = fc.constantFrom<HostState>('drained', 'applied', 'verified', 'uncordoned', 'done', 'failed');
    const step = fc.oneof(
      fc.record({ kind: fc.constant('state' as const), host: fc.constantFrom('w1', 'w2', 'wé"3'), state }),
      fc.record({ kind: fc.constant('wave' as const), index: fc.integer({ min: 1, max: 3 }), hosts: fc.array(fc.constantFrom('w1', 'w2')) }),
      fc.constant({ kind: 'resume' as const }),
      fc.constant({ kind: 'close' as const }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const dir = mkdtempSync(join(tmpdir(), 'provision-journal-'));
        const runId = '20261202T000000Z-aaaaaa';
        let j = begin(dir, runId);
        for (const s of steps) {
          if (s.kind === 'state') j.listener({ type: 'host-state', host: s.host, state: s.state });
          if (s.kind === 'wave') j.listener({ type: 'wave-start', index: s.index, of: 3, hosts: s.hosts });
          if (s.kind === 'resume') j = Journal.read(dir, runId);
          if (s.kind === 'close') j.close();
          expect(JSON.parse(readFileSync(join(dir, `${runId}.json`), 'utf8'))).to.deep.equal(JSON.parse(JSON.stringify(j.data)));
        }
        j.close();
        expect(readdirSync(dir)).to.deep.equal([`${runId}.json`]);
        rmSync(dir, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  });

  it('a state costs the same at the 4,000th host as at the first: it is appended, the journal is not written again whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-journal-'));
    const hosts = Array.from({ length: 4000 }, (_, i) => `sim${String(i).padStart(5, '0')}`);
    const j = Journal.begin(dir, { runId: '20261202T000000Z-aaaaaa', key: 'k', selection, startedAt: '', strategy: 'waves', waves: [hosts] });
    const file = join(dir, '20261202T000000Z-aaaaaa.json');
    const before = statSync(file).size;
    for (const h of hosts) j.listener({ type: 'host-state', host: h, state: 'done' });
    j.close();
    // Each state adds its own line: about 30 bytes, where rewriting the whole journal each time wrote 4,000 x 100 KB.
    expect(statSync(file).size - before).to.be.below(hosts.length * 40);
    expect(Object.keys(Journal.read(dir, '20261202T000000Z-aaaaaa').data.hosts)).to.have.length(4000);
    rmSync(dir, { recursive: true, force: true });
  });
});
