import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, testFleetDir, requireFleet } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { openInChromium } from '../helpers/chromium.js';
import { requireTool } from '../helpers/roles.js';
import { replay, runInPty } from '../helpers/terminal.js';

/** What an operator sees: a 6-node first apply in waves of 2, on a 120x40 terminal and piped. */
describe('end to end: the live view and the recap on a terminal and in a pipe', function () {
  this.timeout(900_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-view-'));

  before(async function () {
    requireFleet(this, 'end-to-end live view tests');
    fleet = await Fleet.up(
      await testFleetDir('view'),
      ['worker01', 'worker02', 'worker03', 'worker04', 'worker05', 'worker06'].map((name) => ({ name })),
    );
    fleet.writeInventory(['provision_serial=2']);
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('on a pseudo-terminal: wave header and counts while running, at most 60 lines afterwards', async () => {
    const report = join(out, 'first.json');
    const r = runInPty(['-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '--report', report], { cols: 120, rows: 40 });
    writeFileSync(join(out, 'pty.raw'), r.raw);
    const text = r.raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(r.code, text.slice(-3000)).to.equal(0);
    // While running: the header of each wave, with counts of the 6 hosts.
    for (const b of [1, 2, 3])
      expect(text, `wave ${b}`).to.match(new RegExp(`wave ${b}/3 \\| \\d done, \\d running, 0 failed, 0 unreachable of 6 hosts \\| elapsed (\\d+m)?\\d+s`));
    expect(text).to.match(/worker0[34]: [\w-]+ > /);
    expect(text).to.match(/about (\d+m)?\d+s left/);
    const screen = await replay(r.raw, 120, 40);
    expect(screen.length, screen.join('\n')).to.be.at.most(60);
    expect(screen.join('\n'))
      .to.match(/6 done, 0 running, 0 failed, 0 unreachable of 6 hosts/)
      .and.match(/PLAY RECAP/)
      .and.match(/changes, the same on worker01\.\.06:/);
    expect(JSON.parse(readFileSync(report, 'utf8')).summary).to.have.keys('worker01', 'worker02', 'worker03', 'worker04', 'worker05', 'worker06');
  });

  it('piped: plain lines, no escape sequences, a header per wave', () => {
    const r = runCli(['-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '--limit', 'worker01:worker02:worker03:worker04']);
    writeFileSync(join(out, 'piped.txt'), r.stdout);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).not.to.match(/\x1b\[/);
    expect(r.stdout).to.match(/^WAVE 1\/2: worker01, worker02\n {2}wave 1\/2 \| 0 done, 0 running, 0 failed, 0 unreachable of 4 hosts/m);
    expect(r.stdout).to.match(/^done: worker04 ok=\d+ changed=\d+ failed=0 skipped=\d+ \(wave 2\/2 \| [34] done, [01] running/m);
    expect(r.stdout).to.match(/^PLAY RECAP/m);
  });

  it('the HTML report of the run opens in headless chromium with no console message and every host with its status', function () {
    requireTool(this, 'chromium', 'chromium');
    const r = runCli(['report', join(out, 'first.json'), '--html', join(out, 'first.html')]);
    expect(r.code, r.stderr).to.equal(0);
    const page = openInChromium(join(out, 'first.html'));
    expect(page.console).to.deep.equal([]);
    for (let i = 1; i <= 6; i++) expect(page.dom).to.include(`<tr data-host="worker0${i}" data-status="changed">`);
    expect(page.dom)
      .to.include('wave 3/3')
      .and.include('page 1 of 1 (6 hosts)')
      .and.match(/verify node|containerd, runtime handlers/);
  });
});
