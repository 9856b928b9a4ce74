import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Loaded by mocha before any test (.mocharc.json `require`): provision's node state (receipts, owed
 * handler markers) goes to a directory of this test run, never to the machine's /var/lib/provision,
 * and the rollout journals to another, never to the operator's ~/.local/state/provision; the CLI the
 * tests start inherits both.
 */
process.env.PROVISION_STATE_DIR ||= mkdtempSync(join(tmpdir(), 'provision-state-'));
process.env.PROVISION_JOURNAL_DIR ||= mkdtempSync(join(tmpdir(), 'provision-journals-'));
