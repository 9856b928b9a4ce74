import { expect } from 'chai';
import { markerPath } from '../../../src/apply/owed-handlers.js';
import { OWED_HANDLERS_DIR, RECEIPT_ROOT, STATE_DIR } from '../../../src/core/constants.js';
import { journalDir } from '../../../src/rollout/journal.js';

describe("tests keep provision's state to themselves", () => {
  it('receipts and owed-handler markers go under PROVISION_STATE_DIR, a directory of this run, not /var/lib/provision', () => {
    expect(process.env.PROVISION_STATE_DIR).to.match(/provision-state-/);
    expect(STATE_DIR).to.equal(process.env.PROVISION_STATE_DIR);
    for (const p of [RECEIPT_ROOT, OWED_HANDLERS_DIR, markerPath('r', 'h')]) expect(p.startsWith(`${STATE_DIR}/`), p).to.equal(true);
  });

  it("rollout journals go under PROVISION_JOURNAL_DIR, a directory of this run, not the operator's ~/.local/state", () => {
    expect(process.env.PROVISION_JOURNAL_DIR).to.match(/provision-journals-/);
    expect(journalDir()).to.equal(process.env.PROVISION_JOURNAL_DIR);
  });
});
