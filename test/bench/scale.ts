/**
 * `npm run bench:scale`: how far one controller carries a fleet. The real engine, inventory, roles,
 * plan classes, reporters, report and retry files roll through 1,000 and 10,000 SIMULATED nodes
 * (scale/simulated-transport.ts: a recorded real node's answers, after a round trip of 50 or 200 ms),
 * each configuration in a child process of its own. Prints wall time, controller CPU per host, peak
 * RSS, open fds and event-loop delay p99 with the machine's load, and exits 1 above a target of issue 27.
 * BENCH_SCALE_ONLY=<regular expression> runs only the rows whose name ("10000 noop forks=200 rtt=50 plain") it matches.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CLI_NODE_OPTIONS } from '../../src/cli/launcher.js';
import { packageRoot } from '../../src/core/paths.js';
import type { Config, Measured } from './scale/scale-run.js';

const MiB_LIMIT = 1024;
const LOOP_P99_LIMIT_MS = 100;

/** The targets of issue 27: wall time and the no-op's CPU per host where it names them (10,000 hosts); a first apply's CPU per host, peak RSS and the loop's delay everywhere. */
function misses(c: Config, m: Measured): string[] {
  const out: string[] = [];
  if (m.exitCode !== 0) out.push(`exit ${m.exitCode}`);
  if (c.run === 'noop' && m.changed) out.push(`${m.changed} changes in a no-op`);
  // Issue 27 names the no-op's 5 ms for 10,000 hosts; at 1,000 the start-up (loading, roles, preparing: about
  // 1.4 s of CPU bundled) is spread over a tenth of the hosts, so its figure is printed there, not judged.
  const cpuLimit = c.run === 'noop' ? (c.hosts === 10_000 ? 5 : undefined) : 20;
  if (cpuLimit !== undefined && m.cpuMsPerHost > cpuLimit) out.push(`CPU ${m.cpuMsPerHost.toFixed(2)} > ${cpuLimit} ms/host`);
  if (m.peakRssMiB > MiB_LIMIT) out.push(`RSS ${m.peakRssMiB.toFixed(0)} > ${MiB_LIMIT} MiB`);
  if (m.loopDelayP99Ms > LOOP_P99_LIMIT_MS) out.push(`loop p99 ${m.loopDelayP99Ms.toFixed(0)} > ${LOOP_P99_LIMIT_MS} ms`);
  if (c.run === 'noop' && c.hosts === 10_000 && c.forks === 200 && c.latencyMs === 50 && m.wallS > 60) out.push(`wall ${m.wallS.toFixed(1)} > 60 s`);
  return out;
}

const name = (c: Config) => `${c.hosts} ${c.run} forks=${c.forks} rtt=${c.latencyMs} ${c.view}`;

/** Every size x forks x run at 50 ms; 200 ms where the forks keep the run within minutes; the target row with the live view too. */
function configurations(): Config[] {
  const all: Config[] = [];
  for (const hosts of [1000, 10_000])
    for (const run of ['noop', 'first'] as const)
      for (const latencyMs of [50, 200])
        for (const forks of [50, 200, 1000]) {
          if (latencyMs === 200 && hosts === 10_000 && forks === 50) continue;
          all.push({ hosts, forks, latencyMs, run, view: 'plain' });
          if (hosts === 10_000 && forks === 200 && latencyMs === 50) all.push({ hosts, forks, latencyMs, run, view: 'live' });
        }
  const only = process.env.BENCH_SCALE_ONLY;
  return only ? all.filter((c) => new RegExp(only).test(name(c))) : all;
}

/**
 * The run script bundled with the built CLI's own esbuild options (scripts/bundle-options.mjs): the engine
 * measured as `bin` runs it, not as tsx compiles it (tsx names every function it makes at run time, 0.7 ms of
 * CPU per host of a 1,000-host first apply, and loads some 200 modules through its hooks). The bundle sits two
 * levels below the package root, as dist/bundle does, so src/core/paths.ts finds roles/ and templates/.
 */
async function bundledRunScript(): Promise<string> {
  const outdir = join(packageRoot, 'dist', 'bench-scale');
  rmSync(outdir, { recursive: true, force: true });
  // @ts-expect-error: a plain ES module of the build, without types
  const { bundleOptions } = await import('../../scripts/bundle-options.mjs');
  await build(bundleOptions([join(packageRoot, 'test/bench/scale/scale-run.ts')], outdir));
  return join(outdir, 'scale-run.js');
}

function runOne(c: Config, dir: string, script: string): Measured {
  const out = join(dir, 'measured.json');
  const args = ['--hosts', c.hosts, '--forks', c.forks, '--latency', c.latencyMs, '--run', c.run, '--view', c.view].map(String);
  // The reporters' output goes to a file, as a CI log would take it; the measurements to --out.
  // With the built CLI's V8 options (src/cli/launcher.ts), as `provision apply` runs.
  const r = spawnSync(process.execPath, [...CLI_NODE_OPTIONS, script, ...args, '--out', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${name(c)}: exit ${r.status}\n${r.stderr.slice(-3000)}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

const f = (x: number, d = 1) => x.toFixed(d);

async function main(): Promise<void> {
  const script = await bundledRunScript();
  const dir = mkdtempSync(join(tmpdir(), 'provision-bench-scale-'));
  const head = [
    'hosts',
    'run',
    'forks',
    'RTT ms',
    'view',
    'wall s',
    'CPU ms/host',
    'peak RSS MiB',
    'peak fds',
    'loop p99 ms',
    'round trips/host',
    'load 1 min',
    'target',
  ];
  const rows: string[][] = [];
  let failed = 0;
  const start = new Date();
  try {
    for (const c of configurations()) {
      const m = runOne(c, dir, script);
      const miss = misses(c, m);
      if (miss.length) failed++;
      const row = [c.hosts, c.run === 'noop' ? 'no-op' : 'first apply', c.forks, c.latencyMs, c.view === 'live' ? 'live view' : 'plain'].map(String);
      row.push(f(m.wallS), f(m.cpuMsPerHost, 2), f(m.peakRssMiB, 0), String(m.peakFds), f(m.loopDelayP99Ms), f(m.roundTripsPerHost), f(loadavg()[0]!, 2));
      row.push(miss.length ? `MISSED: ${miss.join('; ')}` : 'met');
      rows.push(row);
      process.stderr.write(
        `[bench:scale] ${row.join(' | ')} (prepare ${f(m.prepareS)} s, rollout ${f(m.rolloutS)} s, recap and reports ${f(m.endS)} s, simulation ${f(m.simulationMsPerHost, 2)} ms/host apart; peak heap used ${f(m.peakHeapMiB, 0)} MiB, external ${f(m.peakExternalMiB, 0)} MiB)\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  console.log(
    `\nbench:scale ${when(start)} to ${when(new Date()).slice(11)} UTC, ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}\n`,
  );
  console.log([head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n'));
  console.log(
    `\ntargets: no-op CPU < 5 ms/host at 10,000 hosts (printed at 1,000), first apply < 20 ms/host; peak RSS < ${MiB_LIMIT} MiB; loop delay p99 < ${LOOP_P99_LIMIT_MS} ms; no-op of 10,000 at forks 200, 50 ms: < 60 s wall`,
  );
  if (failed) {
    console.log(`${failed} configuration(s) missed a target`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
