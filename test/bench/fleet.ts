/**
 * `npm run bench:fleet [-- --sizes 1,5,10,20]`: the migration on N fresh fleet nodes, timed three
 * ways in one run: provision's first apply, its no-op re-run, and the floor (the same work as one
 * plain shell script per node, see floor-script.ts). Prints one table, then the pod check's share of
 * the first apply per node (its `verify node` step, and each pod's own time) against its 2 s target;
 * not a test (nothing here fails on a slow machine), the targets are printed beside the figures.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connector } from '../../src/cli/connect.js';
import { connectionOf } from '../../src/inventory/connection.js';
import type { PreparedHost, PreparedRun, TransportFactory } from '../../src/plan/model.js';
import { prepareRun } from '../../src/plan/prepare.js';
import { preflightHost } from '../../src/rollout/preflight.js';
import { CACHE_ROOT, Fleet, fleetUnavailable, sh } from '../fleet/fleet.js';
import { type ChangedTask, floorScript } from './floor-script.js';
import { inotifyInUse, inotifyLimit, nodeCpuSeconds } from './node-cpu.js';

/** inotify instances one booted node holds (systemd, journald, logind, udev...); measured on a node of the fleet image. */
const INOTIFY_PER_NODE = 7;

interface Row {
  n: number;
  run: string;
  wallS?: number;
  sessions?: number;
  ctrlCpuS?: number;
  ctrlRssMiB?: number;
  nodeCpuS?: number;
  note?: string;
}

interface Report {
  roundTrips: Record<string, number>;
  summary: Record<string, { changed: number; failed: number; unreachable: number }>;
  tasks: (ChangedTask & { host: string; status: string; start: number; end: number; reason?: string; error?: string })[];
}

const BIN = (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin.provision!;

/** The pod check's target (issue 22): at most this many seconds per node added to a first apply. */
const POD_CHECK_TARGET_S = 2;

/** The pod check's share of a first apply, per node: its `verify node` step (15 to 34 ms without the pod check), and its pods. */
interface PodShare {
  n: number;
  verifyS: number[];
  pods: string[];
  failed: string[];
}
const podShares: PodShare[] = [];

function podShareOf(n: number, report: Report): PodShare {
  const verify = report.tasks.filter((t) => t.task === 'verify node' && t.role === 'rollout');
  const lines = verify.flatMap((t) => (t.reason ?? t.error ?? '').split('\n').filter((l) => l.startsWith('pod ')));
  return {
    n,
    verifyS: verify.map((t) => (t.end - t.start) / 1000),
    pods: lines.map((l) => /^pod on (\S+).* \((\d+) ms\)$/.exec(l)).flatMap((m) => (m ? [`${m[1]} ${m[2]} ms`] : [])),
    failed: verify.filter((t) => t.status !== 'ok' || !/^pod on .*: ok, /m.test(t.reason ?? '')).map((t) => t.host),
  };
}

function podShareLines(): string[] {
  return podShares.map((p) => {
    const mean = p.verifyS.reduce((a, b) => a + b, 0) / (p.verifyS.length || 1);
    const max = Math.max(0, ...p.verifyS);
    const verdict = p.failed.length
      ? `NOT PROVEN on ${p.failed.join(', ')}`
      : max <= POD_CHECK_TARGET_S
        ? `met (at most ${POD_CHECK_TARGET_S} s per node)`
        : `not met (at most ${POD_CHECK_TARGET_S} s per node)`;
    const pods = p.pods.length > 4 ? `${p.pods.slice(0, 4).join(', ')}, ...` : p.pods.join(', ');
    return `- ${p.n} node(s): the pod check's verify node step ${mean.toFixed(2)} s per node on average, ${max.toFixed(2)} s at most (pods: ${pods}): ${verdict}`;
  });
}

const sizes = (() => {
  const i = process.argv.indexOf('--sizes');
  const list = i >= 0 ? process.argv[i + 1] : process.env.BENCH_SIZES;
  return (list ?? '1,5,10,20').split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--sizes: "${s}" is not a node count`);
    return n;
  });
})();

const work = mkdtempSync(join(tmpdir(), 'provision-bench-fleet-'));
const log = (s: string) => process.stderr.write(`[bench:fleet] ${s}\n`);
const nodeNames = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `worker${String(i + 1).padStart(2, '0')}`, kubeletVersion: '1.23' }));

/** The built CLI (as an operator runs it), with the kernel's accounting of its CPU and peak RSS. */
async function provision(fleet: Fleet, args: string[], tag: string) {
  const usage = join(work, `${tag}.usage.json`);
  const report = join(work, `${tag}.report.json`);
  const start = performance.now();
  const r = await exec(
    process.execPath,
    [
      '--import',
      './test/bench/usage-on-exit.mjs',
      // What `bin` runs (the bundle), as an operator runs it; apply's launcher line leaves node's environment as is.
      BIN,
      '-i',
      fleet.inventoryFile,
      '--known-hosts',
      fleet.knownHostsFile,
      '--report',
      report,
      '--progress',
      'plain',
      '--forks',
      String(fleet.state.nodes.length),
      ...args,
    ],
    { PROVISION_BENCH_USAGE: usage },
  );
  const wallS = (performance.now() - start) / 1000;
  if (r.code !== 0) throw new Error(`provision ${args.join(' ')} exited ${r.code}:\n${r.out.slice(-3000)}`);
  const u = JSON.parse(readFileSync(usage, 'utf8'));
  const rep: Report = JSON.parse(readFileSync(report, 'utf8'));
  const hosts = Object.keys(rep.roundTrips);
  return {
    wallS,
    report: rep,
    sessions: hosts.reduce((a, h) => a + rep.roundTrips[h]!, 0) / hosts.length,
    ctrlCpuS: (u.userUs + u.systemUs) / 1e6,
    ctrlRssMiB: u.maxRssKiB / 1024,
  };
}

function exec(cmd: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
    child.stdin.end(input ?? '');
  });
}

async function bootFleet(n: number, tag: string): Promise<Fleet> {
  const t = performance.now();
  const fleet = await Fleet.up(join(CACHE_ROOT, `bench-${tag}-${process.pid}`), nodeNames(n));
  log(`${n} fresh node(s) up in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return fleet;
}

/** First apply and no-op re-run on fresh nodes; the first apply's report says what the floor must do. */
async function measureProvision(n: number, rows: Row[]): Promise<Report> {
  const fleet = await bootFleet(n, 'provision');
  try {
    log(`first apply on ${n}`);
    const first = await provision(fleet, [], `first-${n}`);
    rows.push({ n, run: 'first apply', ...first });
    podShares.push(podShareOf(n, first.report));
    const nodeCpu = () => fleet.state.nodes.map((x) => nodeCpuSeconds(x.nspawnPid));
    const before = nodeCpu();
    log(`no-op re-run on ${n}`);
    const again = await provision(fleet, [], `noop-${n}`);
    const after = nodeCpu();
    const changed = Object.values(again.report.summary).reduce((a, s) => a + s.changed, 0);
    rows.push({
      n,
      run: 'no-op re-run',
      ...again,
      nodeCpuS: after.reduce((a, x, i) => a + x - before[i]!, 0) / n,
      ...(changed ? { note: `${changed} changes: not a no-op` } : {}),
    });
    return first.report;
  } finally {
    await fleet.destroy();
  }
}

/** The same work as a plain script per node, all nodes at once, each over one ssh command. */
async function measureFloor(n: number, first: Report, rows: Row[]): Promise<void> {
  const fleet = await bootFleet(n, 'floor');
  try {
    // Each node's plan as the apply's preflight made it (the detected layout, and the variables detected from the node:
    // the images handed over, the sandbox image), read before the clock starts: the floor knows its node.
    const prepared = prepareRun({ inventory: fleet.inventoryFile });
    const connect = await connector({ knownHosts: fleet.knownHostsFile });
    const plans = await Promise.all(prepared.hosts.map((h) => detectedPlan(prepared, h, connect)));
    const scripts = plans.map((h) =>
      floorScript(
        h,
        first.tasks.filter((t) => t.host === h.host && t.status === 'changed' && t.role !== 'rollout'),
      ),
    );
    log(`floor on ${n}`);
    const start = performance.now();
    const results = await Promise.all(fleet.state.nodes.map((node, i) => exec('ssh', [...fleet.sshArgs(node), 'sh -s'], {}, scripts[i])));
    const wallS = (performance.now() - start) / 1000;
    const bad = results.findIndex((r) => r.code !== 0);
    if (bad >= 0) throw new Error(`floor script failed on ${fleet.state.nodes[bad]!.name}:\n${results[bad]!.out.slice(-3000)}`);
    rows.push({ n, run: 'floor (plain script)', wallS, sessions: 1 });
  } finally {
    await fleet.destroy();
  }
}

/** A host's plan on its node's detected layout and variables, as the rollout's preflight makes it (read-only). */
async function detectedPlan(prepared: PreparedRun, host: PreparedHost, connect: TransportFactory): Promise<PreparedHost> {
  const transport = await connect(host.host, connectionOf(host.host, host.vars));
  try {
    const p = await preflightHost(prepared, host, transport, { planTasks: false, diff: false });
    if (p.problems.length) throw new Error(`floor: the preflight refuses ${host.host}: ${p.problems.join('; ')}`);
    return p.plan;
  } finally {
    await transport.close();
  }
}

const f = (x: number | undefined, d = 2) => (x === undefined ? '-' : x.toFixed(d));

function table(rows: Row[]): string {
  const head = ['nodes', 'run', 'wall s', 'x floor', 'SSH sessions/host', 'round trips/host', 'controller CPU s', 'controller peak RSS MiB', 'node CPU s/host'];
  const body = rows.map((r) => {
    const floor = rows.find((x) => x.n === r.n && x.run.startsWith('floor'))?.wallS;
    if (r.note && r.wallS === undefined) return [String(r.n), r.run, r.note, '', '', '', '', '', ''];
    return [
      String(r.n),
      r.note ? `${r.run} (${r.note})` : r.run,
      f(r.wallS, 1),
      floor && r.wallS !== undefined ? f(r.wallS / floor) : '-',
      f(r.sessions, 1),
      // Each session is one request the controller waits for, after one connection per host.
      r.sessions === undefined ? '-' : f(r.sessions + 1, 1),
      f(r.ctrlCpuS),
      f(r.ctrlRssMiB, 0),
      f(r.nodeCpuS),
    ];
  });
  const lines = [head, head.map(() => '---'), ...body].map((c) => `| ${c.join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const why = fleetUnavailable();
  if (why) throw new Error(`bench:fleet needs the fleet: ${why}`);
  log('building dist/ (the CLI is measured as an operator runs it)');
  sh('npx tsc -p tsconfig.json');
  const rows: Row[] = [];
  for (const n of sizes) {
    const free = inotifyLimit() - inotifyInUse();
    if (free < n * INOTIFY_PER_NODE) {
      rows.push({
        n,
        run: 'not run',
        note: `needs about ${n * INOTIFY_PER_NODE} inotify instances, ${free} of ${inotifyLimit()} free on this machine (as root: sysctl -w fs.inotify.max_user_instances=512)`,
      });
      log(rows.at(-1)!.note!);
      continue;
    }
    try {
      const first = await measureProvision(n, rows);
      await measureFloor(n, first, rows);
    } catch (e) {
      const msg = (e as Error).message;
      const inotify = /inotify|Too many open files/i.test(msg);
      rows.push({ n, run: 'failed', note: inotify ? `booting ${n} nodes hit the inotify limit (${inotifyLimit()})` : msg.split('\n')[0]!.slice(0, 200) });
      log(msg);
    }
  }
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  console.log(`\nbench:fleet ${date} UTC, ${sh('nproc').trim()} cores, ${sh('uname -r').trim()}\n`);
  console.log(table(rows));
  console.log('\ntargets: first apply 10 nodes <= 1.3x floor, 1 node <= 1.5x; no-op 10 nodes < 2 s wall, <= 2 SSH command sessions, < 0.2 s node CPU per host');
  console.log(
    `\nthe pod check in the first apply (its verify node step; load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}):`,
  );
  console.log(podShareLines().join('\n'));
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
