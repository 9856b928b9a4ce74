import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

/**
 * provision_gates through the real CLI: read from the inventory, checked after each wave (window:
 * after each host), in the plain lines, the recap and the JSON report. The hosts are real SSH
 * targets whose port refuses connections, so each host ends at once (unreachable); provision_max_fail
 * keeps the rollout going past them. The gate is a real command whose answer the test changes.
 */
describe('gates between waves, through the CLI', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-gates-cli-'));
  const alert = join(dir, 'alert');
  const inventory = (strategy: string) => {
    const file = join(dir, `${strategy}.yml`);
    const hosts = Object.fromEntries(['h1', 'h2', 'h3'].map((h) => [h, { ansible_host: '127.0.0.1', ansible_port: 1 }]));
    const vars = {
      kubernetes_version: '1.29',
      provision_strategy: strategy,
      provision_serial: 1,
      provision_max_fail: 10,
      provision_gates: [{ name: 'alerts-clear', command: ['sh', '-c', `test ! -e ${alert} || { echo firing; exit 1; }`], timeout: 5 }],
    };
    writeFileSync(file, JSON.stringify({ k8s_worker: { hosts, vars } }));
    return file;
  };
  const run = (strategy: string) => {
    const report = join(dir, `${strategy}.json`);
    const r = runCli(['-i', inventory(strategy), '--role', 'runc', '--known-hosts', join(dir, 'kh'), '--retry-file', join(dir, 'retry'), '--report', report], {
      env: { CI: '1' },
    });
    return { ...r, report: JSON.parse(readFileSync(report, 'utf8')) };
  };

  it('a passing gate lets every wave run, and is in the plain lines and the report', () => {
    const r = run('waves');
    expect(r.stdout.match(/^GATE alerts-clear passed after h\d \(\d+ s\): exit 0$/gm)).to.have.length(3);
    expect(r.report.gates.map((g: { name: string; passed: boolean; after: string[] }) => [g.name, g.passed, g.after])).to.deep.equal([
      ['alerts-clear', true, ['h1']],
      ['alerts-clear', true, ['h2']],
      ['alerts-clear', true, ['h3']],
    ]);
    expect(r.stdout).not.to.include('rollout stopped');
  });

  it('a failing gate stops the rollout before the next host, in waves and in a window, saying which gate and its answer', () => {
    writeFileSync(alert, '');
    for (const strategy of ['waves', 'window']) {
      const r = run(strategy);
      const after = strategy === 'window' ? 'host h1' : 'wave 1';
      expect(r.stdout, strategy).to.match(
        new RegExp(`^rollout stopped: gate alerts-clear failed after ${after} \\(waited \\d+ s\\): exit 1: firing; never started: h2\\.\\.3$`, 'm'),
      );
      expect(r.stdout).to.match(/^GATE alerts-clear FAILED after h1 \(\d+ s\): exit 1: firing$/m);
      expect(r.report.notStarted).to.deep.equal(['h2', 'h3']);
      expect(r.report.stopped).to.match(/^gate alerts-clear failed/);
      expect(r.report.strategy).to.equal(strategy);
      if (strategy === 'window') expect(r.stdout).to.include('window of 1');
    }
    expect(existsSync(alert)).to.equal(true);
  });

  it('a gate list that is wrong is refused before any host is touched', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      JSON.stringify({
        k8s_worker: {
          hosts: { h1: { ansible_host: '127.0.0.1', ansible_port: 1 } },
          vars: { kubernetes_version: '1.29', provision_gates: [{ name: 'x', command: 'true' }] },
        },
      }),
    );
    const r = runCli(['-i', file, '--role', 'runc', '--known-hosts', join(dir, 'kh'), '--retry-file', join(dir, 'retry')], { env: { CI: '1' } });
    expect(r.code).to.equal(5);
    expect(r.stderr).to.include('provision_gates[0] (x): command must be a non-empty list of arguments (no shell)');
    expect(r.stdout).not.to.include('UNREACHABLE');
  });
});
