import { expect } from 'chai';
import { isRunId, newRunId } from '../../../src/core/run-id.js';
import { runCli } from '../../helpers/cli.js';

describe('run ids', () => {
  it('a new id is sortable by time and accepted back', () => {
    const id = newRunId(new Date('2026-11-22T10:48:00.123Z'));
    expect(id).to.match(/^20261122T104800Z-[0-9a-f]{6}$/);
    expect(isRunId(id)).to.equal(true);
  });

  it('nothing else names a backup directory: restore refuses a path before connecting (exit 5)', () => {
    for (const bad of ['../..', '/', '20261122T104800Z-1a2b3c/../..', '', 'latest']) expect(isRunId(bad), bad).to.equal(false);
    const r = runCli(['restore', '-i', 'inventories/example/hosts.ini', '--limit', 'worker99', '--run', '../..']);
    expect(r.code, r.stderr).to.equal(5);
    expect(r.stderr).to.match(/--run takes a run id as printed at the end of a run .* got "\.\.\/\.\."/);
  });
});
