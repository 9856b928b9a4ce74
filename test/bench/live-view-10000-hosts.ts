/**
 * Benchmark: the live view and the outcome on a simulated 10,000-host apply (not a timed test).
 * 1. A real applyRun over a script transport whose every command fails the same way: the shared
 *    failure must be printed once. 2. The live view fed 10,000 hosts x 40 tasks: heap and time per
 *    1,000 finished hosts must not grow with the hosts already finished.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { emptyStats } from '../../src/core/events.js';
import { prepareRun } from '../../src/plan/prepare.js';
import { applyRun } from '../../src/rollout/rollout.js';
import { ScriptTransport } from '../../src/transport/script-transport.js';
import { LiveView } from '../../src/cli/reporters/live-view.js';
import { formatOutcome } from '../../src/cli/reporters/outcome.js';
import type { TaskResult } from '../../src/core/events.js';
import type { RunResult } from '../../src/transport/transport.js';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** A host whose shell refuses everything, the same way on every host. */
class RefusingTransport extends ScriptTransport {
  protected exec = async (): Promise<RunResult> => ({ code: 126, stdout: '', stderr: 'sh: 1: /bin/sh: Permission denied' });
  openUnixSocket = async (): Promise<never> => {
    throw new Error('refused');
  };
  async close(): Promise<void> {}
}

async function simulatedApply() {
  const dir = mkdtempSync(join(tmpdir(), 'provision-bench-view-'));
  const names = Array.from({ length: HOSTS }, (_, i) => `node${String(i).padStart(5, '0')}`);
  writeFileSync(
    join(dir, 'hosts'),
    `[k8s_worker]\n${names.join('\n')}\n[k8s_worker:vars]\nkubernetes_version='1.27'\nprovision_roles=['install-runc']\nprovision_verify=False\n`,
  );
  const prepared = prepareRun({ inventory: join(dir, 'hosts') });
  const view = new LiveView(HOSTS);
  const results: TaskResult[] = [];
  const unreachable: { host: string; error: string }[] = [];
  const start = performance.now();
  const summary = await applyRun(prepared, {
    forks: 50,
    connect: async (host) => new RefusingTransport(host),
    listener: (e) => {
      view.update(e);
      if (e.type === 'task-result') results.push(e);
      if (e.type === 'host-unreachable') unreachable.push({ host: e.host, error: e.error });
    },
  });
  const outcome = formatOutcome(results, unreachable, { rows: 40 });
  return { ms: Math.round(performance.now() - start), hosts: Object.keys(summary.stats).length, header: view.header(), outcome };
}

function liveViewGrowth() {
  const view = new LiveView(HOSTS);
  const marks: { finished: number; heap_mib: number; ms_per_1000_hosts: number }[] = [];
  let t = performance.now();
  for (let i = 0; i < HOSTS; i++) {
    const host = `node${String(i).padStart(5, '0')}`;
    view.update({ type: 'host-start', host });
    for (let k = 0; k < 40; k++) {
      view.update({ type: 'task-start', host, role: 'install-containerd', task: `task ${k}`, handler: false });
      view.header();
      view.runningLines(36);
    }
    view.update({ type: 'host-end', host, stats: { ...emptyStats(), ok: 40 } });
    if ((i + 1) % (HOSTS / 5) === 0) {
      const now = performance.now();
      gc();
      marks.push({
        finished: i + 1,
        heap_mib: Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10,
        ms_per_1000_hosts: Math.round(((now - t) * 1000) / (HOSTS / 5)),
      });
      t = performance.now();
    }
  }
  return marks;
}

const apply = await simulatedApply();
console.log(`simulated apply: ${apply.hosts} hosts in ${apply.ms} ms; live view header at the end: ${apply.header}`);
console.log(`outcome (${apply.outcome.split('\n').length - 1} lines):\n${apply.outcome}`);
const marks = liveViewGrowth();
console.table(marks);
const first = marks[0]!;
const last = marks[marks.length - 1]!;
const grew = last.heap_mib > first.heap_mib * 1.5 + 5 || last.ms_per_1000_hosts > first.ms_per_1000_hosts * 2 + 20;
const shared = apply.outcome.split('\n').filter((l) => l.startsWith(`${HOSTS} hosts:`)).length;
if (grew || shared !== 1) {
  console.error(grew ? 'FAIL: the live view grows with finished hosts' : `FAIL: the shared failure was not printed once (${shared})`);
  process.exit(1);
}
