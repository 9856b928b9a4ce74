import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htmlReport } from '../../../src/cli/reporters/html-report.js';
import { emptyStats } from '../../../src/core/events.js';
import { openInChromium } from '../../helpers/chromium.js';
import { requireTool } from '../../helpers/roles.js';

describe('HTML report: a host lost mid-task', function () {
  this.timeout(120_000);

  before(function () {
    requireTool(this, 'chromium', 'chromium');
  });

  it('shows the host unreachable with unknown=1, and the task in the timeline as "unknown"', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'provision-html-unknown-')), 'run.html');
    const report = {
      runId: 'r1',
      summary: { worker01: { ...emptyStats(), changed: 3, unreachable: 1, unknown: 1 }, worker02: { ...emptyStats(), ok: 4, changed: 3 } },
      batches: [],
      hosts: {},
      notStarted: [],
      tasks: [
        { host: 'worker01', role: 'install-containerd', task: 'write config', status: 'unknown', error: 'lost the connection to worker01', start: 1, end: 2 },
        { host: 'worker01', role: null, task: null, status: 'unreachable', error: 'lost the connection to worker01', start: 0, end: 2 },
        { host: 'worker02', role: 'install-containerd', task: 'write config', status: 'changed', start: 1, end: 2 },
      ],
    };
    writeFileSync(file, htmlReport(report));
    const page = openInChromium(file);
    expect(page.console).to.deep.equal([]);
    expect(page.dom)
      .to.include('<tr data-host="worker01" data-status="unreachable">')
      .and.include('unreachable=1 unknown=1')
      .and.include('class="unknown" title="install-containerd &gt; write config: unknown"');
  });
});
