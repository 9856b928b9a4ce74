import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkGate, type Gate, parseGates } from '../../../src/rollout/gates.js';
import { runSchedule } from '../../../src/rollout/scheduler.js';
import { requireTool } from '../../helpers/roles.js';

/**
 * Health gates between waves, each against a real thing on loopback: a controller command, an HTTP
 * server the test controls, a real Prometheus (Debian's package, started here with a temp config
 * and a rule file) scraping such a server, and pods_ready through a kubectl STAND-IN (no API server
 * can run here) that prints the pod list the test wrote.
 */
const gate = (entry: Record<string, unknown>): Gate => parseGates([entry])[0]!;

/** A loopback HTTP server answering what `answer` says at the moment it is asked. */
async function serve(answer: () => { status: number; body: string; type?: string }): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    const a = answer();
    res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('rollout gates: provision_gates', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-gates-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a gate list that is wrong, every entry at once, naming the entry', () => {
    expect(() =>
      parseGates([
        { command: ['true'] },
        { name: 'two', command: ['true'], http: 'http://127.0.0.1/' },
        { name: 'odd', http: 'http://127.0.0.1/', colour: 'red' },
        { name: 'shell', command: 'test -e /x' },
        { name: 'url', prometheus: 'ftp://x', query: 'up' },
        { name: 'half', http: 'http://127.0.0.1/', field: 'status' },
        { name: 'slow', pods_ready: true, timeout: 0 },
      ]),
    )
      .to.throw()
      .with.property('message')
      .that.includes('provision_gates[0]: name must be a non-empty string')
      .and.includes('provision_gates[1] (two): exactly one of command, http, prometheus, pods_ready is needed, found command, http')
      .and.includes('provision_gates[2] (odd): unknown key colour for a http gate')
      .and.includes('provision_gates[3] (shell): command must be a non-empty list of arguments (no shell)')
      .and.includes('provision_gates[4] (url): prometheus must be an http or https URL')
      .and.includes('provision_gates[5] (half): field and equals go together')
      .and.includes('provision_gates[6] (slow): timeout must be a number of at least 1');
    expect(() =>
      parseGates([
        { name: 'a', pods_ready: true },
        { name: 'a', pods_ready: true },
      ]),
    ).to.throw(/two gates are named "a"/);
    expect(parseGates(undefined)).to.deep.equal([]);
  });

  it('command: an argv run without a shell passes on exit 0, fails otherwise and when it outlives its timeout', async () => {
    const alert = join(dir, 'alert');
    const g = gate({ name: 'alerts-clear', command: ['sh', '-c', `test ! -e ${alert}`], timeout: 5 });
    expect(await checkGate(g, [])).to.deep.include({ name: 'alerts-clear', passed: true, answer: 'exit 0' });
    writeFileSync(alert, '');
    expect(await checkGate(g, [])).to.deep.include({ passed: false, answer: 'exit 1' });
    // No shell: "$(...)" is an argument, not a command.
    const marker = join(dir, 'marker');
    expect((await checkGate(gate({ name: 'echo', command: ['echo', `$(touch ${marker})`] }), [])).passed).to.equal(true);
    expect(existsSync(marker)).to.equal(false);
    const slow = await checkGate(gate({ name: 'slow', command: ['sleep', '10'], timeout: 1 }), []);
    expect(slow.passed).to.equal(false);
    expect(slow.waitedMs).to.be.below(5000);
    expect((await checkGate(gate({ name: 'missing', command: ['/nonexistent/tool'] }), [])).answer).to.match(/ENOENT/);
  });

  it('http: 2xx passes, and with field/equals the JSON field must match; retries wait for it', async () => {
    let answers: { status: number; body: string; type?: string }[] = [{ status: 503, body: '{"status":"starting"}' }];
    const { url, server } = await serve(() => (answers.length > 1 ? answers.shift()! : answers[0]!));
    try {
      expect(await checkGate(gate({ name: 'up', http: url }), [])).to.deep.include({ passed: false, answer: 'HTTP 503' });
      answers = [{ status: 200, body: '{"data":{"status":"degraded"}}' }];
      expect(await checkGate(gate({ name: 'up', http: url }), [])).to.deep.include({ passed: true, answer: 'HTTP 200' });
      const healthy = gate({ name: 'healthy', http: `${url}/health`, field: 'data.status', equals: 'ok', retries: 3, delay: 0.2 });
      expect(await checkGate(healthy, [])).to.deep.include({ passed: false, answer: 'data.status is "degraded", not "ok"' });
      answers = [
        { status: 503, body: '' },
        { status: 200, body: '{"data":{"status":"degraded"}}' },
        { status: 200, body: '{"data":{"status":"ok"}}' },
      ];
      expect(await checkGate(healthy, [])).to.deep.include({ passed: true, answer: 'data.status is "ok"' });
      answers = [{ status: 200, body: 'not json', type: 'text/plain' }];
      expect((await checkGate(healthy, [])).answer).to.match(/^HTTP 200, not JSON: not json$/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    expect((await checkGate(gate({ name: 'down', http: url }), [])).answer).to.match(/ECONNREFUSED|other side closed/);
  });

  it('pods_ready: every pod on the nodes Running and Ready, through kubectl (a STAND-IN printing the pods the test wrote)', async () => {
    const bin = join(dir, 'bin');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'kubectl'),
      `#!/bin/sh\n# kubectl STAND-IN: the pods of the node named in the field selector, from a file per node.\nnode=\${5#spec.nodeName=}\ncat "${dir}/pods.$node.json"\n`,
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    const pod = (name: string, phase: string, ready: string) => ({
      metadata: { namespace: 'apps', name },
      status: { phase, conditions: [{ type: 'Ready', status: ready, ...(ready === 'False' ? { reason: 'ContainersNotReady' } : {}) }] },
    });
    const nodes = ['w1', 'w2'].map((host) => ({
      host,
      podsCommand: `${bin}/kubectl get pods --all-namespaces --field-selector spec.nodeName=${host} -o json`,
    }));
    writeFileSync(join(dir, 'pods.w1.json'), JSON.stringify({ items: [pod('web-1', 'Running', 'True'), pod('job-1', 'Succeeded', 'False')] }));
    writeFileSync(join(dir, 'pods.w2.json'), JSON.stringify({ items: [pod('web-2', 'Running', 'False'), pod('db-0', 'Pending', 'False')] }));
    const g = gate({ name: 'pods', pods_ready: true });
    expect(await checkGate(g, nodes)).to.deep.include({
      passed: false,
      answer: 'w2: apps/web-2: not ready (ContainersNotReady); w2: apps/db-0: Pending',
    });
    writeFileSync(join(dir, 'pods.w2.json'), JSON.stringify({ items: [pod('web-2', 'Running', 'True')] }));
    expect(await checkGate(g, nodes)).to.deep.include({ passed: true, answer: 'every pod ready on 2 nodes' });
    writeFileSync(join(dir, 'pods.w2.json'), 'error: the server is down');
    expect((await checkGate(g, nodes)).answer).to.match(/^w2: not a pod list as JSON/);
  });

  describe('prometheus: a real Prometheus on loopback, with an alert the test makes fire and clear', () => {
    let prometheus: ChildProcess | undefined;
    let promUrl = '';
    let value = 0;
    let target: Server | undefined;

    before(async function () {
      requireTool(this, 'prometheus', 'prometheus');
      const t = await serve(() => ({ status: 200, type: 'text/plain', body: `# TYPE rollout_test_alert gauge\nrollout_test_alert ${value}\n` }));
      target = t.server;
      const port = await freePort();
      writeFileSync(join(dir, 'rules.yml'), 'groups:\n- name: rollout\n  rules:\n  - alert: RolloutTestAlert\n    expr: rollout_test_alert > 0\n');
      writeFileSync(
        join(dir, 'prometheus.yml'),
        `global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files: ["${dir}/rules.yml"]\nscrape_configs:\n- job_name: test\n  static_configs:\n  - targets: ["${t.url.replace('http://', '')}"]\n`,
      );
      prometheus = spawn(
        'prometheus',
        [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/tsdb`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      promUrl = `http://127.0.0.1:${port}`;
      // Ready once it has scraped the target: `up` is 1.
      const upGate = gate({ name: 'up', prometheus: promUrl, query: 'up == 0 or absent(up)', retries: 60, delay: 0.5, timeout: 2 });
      const up = await checkGate(upGate, []);
      expect(up.passed, `prometheus did not scrape the target: ${up.answer}`).to.equal(true);
    });

    after(async () => {
      if (prometheus?.pid) prometheus.kill('SIGTERM');
      if (prometheus && prometheus.exitCode === null) await new Promise((r) => prometheus!.once('exit', r));
      target?.close();
    });

    const alerts = () => gate({ name: 'no-alerts', prometheus: promUrl, query: 'ALERTS{alertstate="firing"}', timeout: 5 });

    it('passes with no alert firing, fails naming the alert while it fires, and with `below` bounds a value', async () => {
      expect(await checkGate(alerts(), [])).to.deep.include({ passed: true, answer: 'no series' });
      value = 1;
      // The alert fires after a scrape and a rule evaluation: asked until then.
      let firing = await checkGate(alerts(), []);
      for (let i = 0; i < 40 && firing.passed; i++) {
        await new Promise((ok) => setTimeout(ok, 500));
        firing = await checkGate(alerts(), []);
      }
      expect(firing).to.deep.include({ passed: false, answer: '1 series: RolloutTestAlert 1' });
      expect(await checkGate(gate({ name: 'bound', prometheus: promUrl, query: 'rollout_test_alert', below: 2 }), [])).to.deep.include({
        passed: true,
        answer: 'every value under 2',
      });
      expect((await checkGate(gate({ name: 'bad', prometheus: promUrl, query: 'rate(' }), [])).answer).to.match(/^prometheus: .*parse error/);
      value = 0;
      // It clears within a few scrapes: a gate with retries waits for that.
      expect(await checkGate({ ...alerts(), retries: 40, delayS: 0.5 }, [])).to.deep.include({ passed: true, answer: 'no series' });
    });

    it('stops the rollout after the wave during which the alert fires, and goes on when it clears', async () => {
      const started: string[] = [];
      const hosts = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
      const run = async (fireDuring: string, clearAfterFailures: number) => {
        started.length = 0;
        let failures = 0;
        return runSchedule<string>({
          strategy: 'waves',
          waves: [hosts.slice(0, 2), hosts.slice(2, 4), hosts.slice(4)],
          width: 2,
          run: async (h) => {
            started.push(h);
            if (h === fireDuring) {
              value = 1;
              // The wave lasts until Prometheus fires the alert, as a migration would take a while.
              for (let i = 0; i < 40 && (await checkGate(alerts(), [])).passed; i++) await new Promise((ok) => setTimeout(ok, 500));
            }
          },
          halt: () => undefined,
          after: async (_items, index) => {
            const r = await checkGate(alerts(), []);
            if (r.passed) return undefined;
            if (++failures > clearAfterFailures) return `gate no-alerts failed after wave ${index}: ${r.answer}`;
            value = 0;
            const again = await checkGate({ ...alerts(), retries: 40, delayS: 0.5 }, []);
            return again.passed ? undefined : `gate no-alerts failed after wave ${index}: ${again.answer}`;
          },
        });
      };
      // Cleared for three evaluations in a row before the rollout starts.
      for (let clear = 0, i = 0; clear < 3 && i < 60; i++) {
        clear = (await checkGate(alerts(), [])).passed ? clear + 1 : 0;
        await new Promise((ok) => setTimeout(ok, 1000));
      }
      const stopped = await run('w3', 0);
      expect(stopped.stopped).to.equal('gate no-alerts failed after wave 2: 1 series: RolloutTestAlert 1');
      expect(started).to.deep.equal(['w1', 'w2', 'w3', 'w4']);
      expect(stopped.notStarted.map((n) => n.item)).to.deep.equal(['w5', 'w6']);
      value = 0;
      expect((await checkGate({ ...alerts(), retries: 40, delayS: 0.5 }, [])).passed).to.equal(true);
      const resumed = await run('w1', 1);
      expect(resumed.stopped).to.equal(undefined);
      expect(started).to.deep.equal(hosts);
    });
  });
});
