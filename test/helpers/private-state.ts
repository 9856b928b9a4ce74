import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Under /var/tmp, not /tmp: the fleet's nodes get the same path for their state (the CLI the tests start
// inherits it), and systemd empties /tmp when a node boots, which would forget what a test that restarts a
// node checks the next run still knows (the handlers a killed run owes).
const STATE_PARENT = '/var/tmp';

/**
 * Loaded by mocha before any test (.mocharc.json `require`): provision's node state (receipts, owed
 * handler markers) goes to a directory of this test run, never to the machine's /var/lib/provision,
 * and the rollout journals to another, never to the operator's ~/.local/state/provision; the CLI the
 * tests start inherits both.
 */
process.env.PROVISION_STATE_DIR ||= mkdtempSync(join(STATE_PARENT, 'provision-state-'));
process.env.PROVISION_JOURNAL_DIR ||= mkdtempSync(join(tmpdir(), 'provision-journals-'));
