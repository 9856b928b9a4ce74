/**
 * One configuration of bench:scale, in a process of its own (so its peak RSS is its own): a simulated
 * fleet of --hosts nodes rolled through by the real engine, as `provision apply` does it (inventory
 * file, roles, plan classes, the run's journal, the plain reporter or the live view, the JSON report and the retry
 * file), over SimulatedTransport. Writes its measurements as JSON to --out.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { cliInterrupts } from '../../../src/cli/interrupt.js';
import { formatRecap } from '../../../src/cli/reporters/recap.js';
import { reporting } from '../../../src/cli/reporters/reporting.js';
import type { Listener } from '../../../src/core/events.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import { Journal, selectionKey } from '../../../src/rollout/journal.js';
import { applyRun } from '../../../src/rollout/rollout.js';
import { type NodeRecording, RECORDING_FILE, RUN_ID } from './node-recording.js';
import { SimulatedTransport, simulationCost } from './simulated-transport.js';

export interface Config {
  hosts: number;
  forks: number;
  latencyMs: number;
  run: 'first' | 'noop';
  view: 'plain' | 'live';
}

export interface Measured {
  wallS: number;
  prepareS: number;
  /** From the first connection to the last host's end (the loop's delay is measured over it). */
  rolloutS: number;
  /** After it: the recap, the outcome, the JSON report and the retry file, synchronous steps. */
  endS: number;
  cpuMsPerHost: number;
  simulationMsPerHost: number;
  peakRssMiB: number;
  /** Sampled every 250 ms: V8's heap in use (live and not yet collected), and memory outside it (Buffers). */
  peakHeapMiB: number;
  peakExternalMiB: number;
  peakFds: number;
  loopDelayP99Ms: number;
  roundTripsPerHost: number;
  exitCode: number;
  changed: number;
}

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) throw new Error(`scale-run: --${name} is required`);
  return process.argv[i + 1]!;
};

/** A simulated host's inventory line: its own address; the rest as the recorded host had it. */
const hostLine = (i: number, vars: string) => `sim${String(i).padStart(5, '0')} ansible_host=10.${i >> 16}.${(i >> 8) & 255}.${i & 255} ${vars}`;

async function measure(config: Config, rec: NodeRecording, dir: string): Promise<Measured> {
  const inventory = join(dir, 'hosts.ini');
  const hosts = Array.from({ length: config.hosts }, (_, i) => hostLine(i, rec.hostVars));
  writeFileSync(inventory, ['[k8s_worker]', ...hosts, '', '[k8s_worker:vars]', 'ansible_user=root', ...rec.groupVars, ''].join('\n'));
  const session = config.run === 'first' ? rec.sessions.first : rec.sessions.noop;

  const loop = monitorEventLoopDelay({ resolution: 10 });
  let peakFds = 0;
  const countFds = () => (peakFds = Math.max(peakFds, readdirSync('/proc/self/fd').length));
  // The heap as V8 has it (live and garbage not yet collected) and what lives outside it (Buffers): where a peak RSS comes from.
  const memory = { heapUsed: 0, external: 0 };
  const sampleMemory = () => {
    const m = process.memoryUsage();
    memory.heapUsed = Math.max(memory.heapUsed, m.heapUsed);
    memory.external = Math.max(memory.external, m.external);
  };
  const fdTimer = setInterval(() => {
    countFds();
    sampleMemory();
  }, 250);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  // What `provision apply` does (src/cli/commands/apply.ts), with the simulated fleet as its connector.
  const prepared = prepareRun({ inventory });
  const prepareS = (performance.now() - t0) / 1000;
  // While the hosts roll: the live view's and Ctrl-C's responsiveness (preparing, and the recap and reports after, are
  // synchronous steps of their own, timed apart).
  loop.enable();
  const report = join(dir, 'report.json');
  const progress = await reporting(
    prepared.hosts.map((h) => h.host),
    { progress: config.view === 'live' ? 'listr' : 'plain', report },
  );
  const interrupts = cliInterrupts(progress.finish);
  // The run's journal, as apply keeps it (src/cli/commands/apply-journal.ts), in the run's own directory.
  const journal = Journal.begin(join(dir, 'runs'), {
    runId: RUN_ID,
    key: selectionKey({ inventory: [inventory] }),
    selection: { inventory: [inventory] },
    startedAt: new Date().toISOString(),
    strategy: 'waves',
    waves: [prepared.hosts.map((h) => h.host)],
  });
  // BENCH_SCALE_HEAP=<path prefix>: heap snapshots when half the hosts have ended and after the last (each costs
  // the process memory of its own: the row's peak RSS is then not the run's).
  const snapshots = process.env.BENCH_SCALE_HEAP;
  let ended = 0;
  const listener: Listener = (e) => {
    if (snapshots && e.type === 'host-end' && ++ended === Math.floor(config.hosts / 2)) writeHeapSnapshot(`${snapshots}-mid.heapsnapshot`);
    journal.listener(e);
    interrupts.listener(e);
    progress.listener(e);
  };
  const summary = await applyRun(prepared, {
    runId: RUN_ID,
    forks: config.forks,
    listener,
    interrupted: interrupts.interrupted,
    // Connecting costs TCP's and SSH's handshakes: two round trips.
    connect: async (host) => {
      await new Promise((r) => setTimeout(r, 2 * config.latencyMs));
      return new SimulatedTransport(host, session, config.latencyMs);
    },
  });
  journal.close();
  if (snapshots) writeHeapSnapshot(`${snapshots}-end.heapsnapshot`);
  const rolloutS = (performance.now() - t0) / 1000 - prepareS;
  loop.disable();
  await progress.finish();
  process.stdout.write(`\n${formatRecap(summary.stats, summary.notStarted)}${progress.outcome()}`);
  progress.report.write(report, summary.stats, { runId: summary.runId, check: false, notStarted: summary.notStarted });
  const retry = Object.entries(summary.stats).filter(([, s]) => s.failed || s.unreachable);
  writeFileSync(join(dir, 'provision.retry'), retry.map(([h]) => `${h}\n`).join(''));

  const wallS = (performance.now() - t0) / 1000;
  const endS = wallS - prepareS - rolloutS;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(fdTimer);
  countFds();
  // The report's round trips as written, read from the report itself: parsing the file back (over 100 MB
  // at 10,000 hosts) would count the bench's own memory as the run's.
  if (statSync(report).size === 0) throw new Error(`scale-run: ${report} is empty`);
  const trips = Object.values(progress.report.roundTrips);
  return {
    wallS,
    prepareS,
    rolloutS,
    endS,
    cpuMsPerHost: ((cpu.user + cpu.system) / 1000 - simulationCost.ms) / config.hosts,
    simulationMsPerHost: simulationCost.ms / config.hosts,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: memory.heapUsed / 1048576,
    peakExternalMiB: memory.external / 1048576,
    peakFds,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    roundTripsPerHost: trips.reduce((a, b) => a + b, 0) / trips.length,
    exitCode: summary.exitCode,
    changed: Object.values(summary.stats).reduce((a, s) => a + s.changed, 0),
  };
}

async function main(): Promise<void> {
  const config: Config = {
    hosts: Number(arg('hosts')),
    forks: Number(arg('forks')),
    latencyMs: Number(arg('latency')),
    run: arg('run') as Config['run'],
    view: arg('view') as Config['view'],
  };
  const rec = JSON.parse(readFileSync(RECORDING_FILE, 'utf8')) as NodeRecording;
  const dir = mkdtempSync(join(tmpdir(), 'provision-bench-scale-'));
  try {
    writeFileSync(arg('out'), JSON.stringify(await measure(config, rec, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
