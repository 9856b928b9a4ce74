import { expect } from 'chai';
import type { Change } from '../../../src/core/change.js';
import { type ArchiveState, STAT_DIFFERS, archiveFact } from '../../../src/facts/archive.js';
import { unarchiveTask } from '../../../src/tasks/unarchive.js';

/** Which extractions the node decides (Change.decidedOnNode) and which the plan knows to change something. */
describe('unarchive: what the plan knows, and what it leaves to the node', () => {
  const fact = archiveFact('/c.tgz', '/d', 1, []);
  const args = { src: '/c.tgz', dest: '/d', strip_components: 1, owner: 'root', group: 'root' };
  const state = (s: Partial<ArchiveState>): ArchiveState => ({ archiveExists: true, differences: [], owners: ['root:root'], quick: true, ...s });
  const plan = (s: ArchiveState, check = false) => unarchiveTask.plan(args, new Map([[fact.key, s]]), { check, diff: false, backupDir: '/b' });
  const change = (s: ArchiveState, check = false): Change => {
    const p = plan(s, check);
    if (!('changes' in p)) throw new Error(`expected a change, got ${JSON.stringify(p)}`);
    expect(p.changes).to.have.length(1);
    return p.changes[0]!;
  };
  const matched = { kind: 'fact', key: fact.key, value: { archiveExists: true, differences: [], owners: ['root:root'], quick: false } };

  it('an archive a download of this run writes: apply extracts it and lets the node decide; check reports the extraction', () => {
    const replaced = state({ replaced: true, quick: false, owners: [] });
    const apply = change(replaced);
    expect(apply.what).to.equal('extract /c.tgz into /d (the archive comes from an earlier task)');
    expect(apply.decidedOnNode).to.deep.equal({ unchanged: 'files from /c.tgz in /d already matched the archive' });
    expect(apply.predict).to.deep.equal([matched]);
    const check = change(replaced, true);
    expect(check.what).to.equal(apply.what);
    expect(check.decidedOnNode).to.equal(undefined);
  });

  it('members whose stat differs from the receipt (maybe only touched): decided on the node; a missing one or a wrong owner: a certain change', () => {
    expect(change(state({ differences: [`tool: ${STAT_DIFFERS}`] })).decidedOnNode).to.not.equal(undefined);
    expect(change(state({ differences: [`tool: ${STAT_DIFFERS}`] }), true).decidedOnNode).to.equal(undefined);
    expect(change(state({ differences: [`tool: ${STAT_DIFFERS}`, 'missing: ctr'] })).decidedOnNode).to.equal(undefined);
    expect(change(state({ differences: ['tool: not a regular file'] })).decidedOnNode).to.equal(undefined);
    expect(change(state({ differences: [`tool: ${STAT_DIFFERS}`], owners: ['1000:1000'] })).decidedOnNode).to.equal(undefined);
    expect(change(state({ quick: false, differences: ['tool: Contents differ'] })).decidedOnNode).to.equal(undefined);
  });

  it('matching files without a receipt: apply records one (reported ok by the node), check and --verify-content change nothing', () => {
    const noReceipt = state({ quick: false, members: ['tool', 'helper'] });
    const apply = change(noReceipt);
    expect(apply.what).to.equal('record /d in a receipt (its files match /c.tgz)');
    expect(apply.decidedOnNode).to.deep.equal({ unchanged: 'files from /c.tgz in /d match the archive (receipt written)' });
    expect(apply.script).to.not.match(/tar /);
    expect(plan(noReceipt, true)).to.deep.equal({ noop: 'files from /c.tgz in /d match the archive' });
    const deep = archiveFact('/c.tgz', '/d', 1, [], true);
    expect(unarchiveTask.plan(args, new Map([[deep.key, noReceipt]]), { check: false, diff: false, backupDir: '/b', verifyContent: true })).to.deep.equal({
      noop: 'files from /c.tgz in /d match the archive',
    });
    expect(plan(state({ quick: true }))).to.deep.equal({ noop: 'files from /c.tgz in /d match the archive (quick check against the receipt)' });
  });

  it("the fact follows the archive's own writes: a download makes it replaced, a mode change does not, a removal makes it missing", () => {
    const before = state({ quick: true });
    expect(fact.predict!(before, { kind: 'path', path: '/c.tgz', state: { exists: true, type: 'regular file', sha256: 'ab' } })).to.deep.equal({
      archiveExists: true,
      differences: [],
      owners: ['root:root'],
      quick: false,
      replaced: true,
    });
    expect(fact.predict!(before, { kind: 'path', path: '/c.tgz', state: { mode: '0600' } })).to.equal(undefined);
    expect(fact.predict!(before, { kind: 'path', path: '/other', state: { exists: true, type: 'regular file' } })).to.equal(undefined);
    expect(fact.predict!(before, { kind: 'path', path: '/c.tgz', state: { exists: false } })).to.deep.include({ archiveExists: false });
  });
});
