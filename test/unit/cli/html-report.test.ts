import { expect } from 'chai';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyStats } from '../../../src/core/events.js';
import { runCli } from '../../helpers/cli.js';
import { openInChromium } from '../../helpers/chromium.js';
import { requireTool } from '../../helpers/roles.js';

/** A run of 10,000 hosts in 20 waves, as --report wrote it before waves were named so ("batches"). */
function bigReport() {
  const hosts = Array.from({ length: 10_000 }, (_, i) => `node${String(i).padStart(5, '0')}`);
  const summary: Record<string, ReturnType<typeof emptyStats>> = {};
  const tasks: Record<string, unknown>[] = [];
  hosts.forEach((h, i) => {
    const failed = i % 1000 === 7;
    summary[h] = { ...emptyStats(), ok: 20, changed: 8, failed: failed ? 1 : 0 };
    for (let k = 0; k < 8; k++) {
      tasks.push({
        host: h,
        role: 'install-containerd',
        task: `task ${k}`,
        status: 'changed',
        changes: ['write /etc/containerd/config.toml'],
        start: i * 10 + k,
        end: i * 10 + k + 1,
      });
    }
    if (failed)
      tasks.push({ host: h, role: 'rollout', task: 'verify node', status: 'failed', error: 'containerd is not active', start: i * 10 + 8, end: i * 10 + 9 });
  });
  const batches = Array.from({ length: 20 }, (_, b) => ({ index: b + 1, of: 20, hosts: hosts.slice(b * 500, b * 500 + 500), start: b * 5000 }));
  return { runId: '20261123T090000Z-abcdef', summary, batches, hosts: {}, tasks, notStarted: [], maxFailPercentage: 10 };
}

describe('provision report --html', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-html-'));

  before(function () {
    requireTool(this, 'chromium', 'chromium');
  });

  it('writes one self-contained page for 10,000 hosts, under 20 MB, that chromium opens without a console message', () => {
    writeFileSync(join(dir, 'run.json'), JSON.stringify(bigReport()));
    const r = runCli(['report', join(dir, 'run.json'), '--html', join(dir, 'run.html')]);
    expect(r.code, r.stderr).to.equal(0);
    expect(statSync(join(dir, 'run.html')).size).to.be.below(20 * 1024 * 1024);
    const page = openInChromium(join(dir, 'run.html'));
    expect(page.console).to.deep.equal([]);
    // One page of 100 hosts is drawn, not 10,000.
    expect(page.dom.match(/<tr data-host=/g)).to.have.length(100);
    expect(page.dom)
      .to.include('page 1 of 100 (10000 hosts)')
      .and.include('<tr data-host="node00007" data-status="failed">')
      .and.include('<tr data-host="node00000" data-status="changed">')
      .and.include('failure budget over the run: 10% of the hosts')
      .and.include('wave 20/20')
      .and.include('500 hosts, 1 failed');
    expect(page.dom).not.to.match(/src="http|href="http/);
  });

  it('reads the waves of a report written before "batches" were named waves, and of one written after', () => {
    const { batches, ...rest } = bigReport();
    for (const [name, report] of [
      ['old', { ...rest, batches: batches.slice(0, 2) }],
      [
        'new',
        {
          ...rest,
          waves: batches.slice(0, 2),
          strategy: 'waves',
          maxFail: 3,
          stopped: 'failure budget spent',
          gates: [{ name: 'no-alerts', passed: false, answer: '1 series: KubeNodeNotReady 1', waitedMs: 12_000, after: ['node00001'], at: 9000 }],
          pauses: [{ after: 1, goOn: true, reason: 'answered yes', at: 5000 }],
        },
      ],
    ] as const) {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(report));
      expect(runCli(['report', join(dir, `${name}.json`), '--html', join(dir, `${name}.html`)]).code).to.equal(0);
      const page = openInChromium(join(dir, `${name}.html`));
      expect(page.console, name).to.deep.equal([]);
      expect(page.dom, name).to.include('wave 2/20');
      if (name === 'new') {
        expect(page.dom)
          .to.include('failure budget over the run: 10% of the hosts or 3 hosts; stopped: failure budget spent')
          .and.match(/paused after 1: went on \(answered yes\).*gate no-alerts FAILED after node00001 \(12 s\): 1 series: KubeNodeNotReady 1/s);
      }
    }
  });

  it('a page with a script error is caught (the check can fail)', () => {
    writeFileSync(join(dir, 'bad.html'), '<html><body><script>undefinedFunction()</script></body></html>');
    expect(openInChromium(join(dir, 'bad.html')).console.join('\n')).to.match(/Uncaught ReferenceError/);
  });

  it('refuses a file that is no report', () => {
    writeFileSync(join(dir, 'other.json'), '{"a": 1}');
    expect(runCli(['report', join(dir, 'other.json'), '--html', join(dir, 'x.html')]).code).to.equal(3);
  });
});
