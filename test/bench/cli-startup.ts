/**
 * Benchmark: the built CLI's own CPU for commands a person types and waits on (`npm run bench:cli`,
 * after `npm run build`), against the targets of issue 27: `--version` (start-up alone),
 * `completion --list-hosts` of a 1,000-host inventory (bash runs it at every TAB after --limit),
 * `render --limit` of one host of the example inventory, `inventory --graph` of 10,000 hosts; and,
 * without a target, `render` of a one-host and a 100-host inventory, and node itself (`node -e 0`, the
 * floor under every figure). The kernel's accounting of the process (as bench:fleet takes it), the
 * fastest and the median of RUNS runs, with the load beside them: on a shared machine the fastest
 * run is the one least disturbed. Exits 1 when a fastest run is above its target.
 * BENCH_CLI_ENTRY: the file to run (default: package.json's bin).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ENTRY = process.env.BENCH_CLI_ENTRY ?? (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin.provision!;
const dir = mkdtempSync(join(tmpdir(), 'provision-bench-cli-'));
const inventory = (n: number) => {
  const file = join(dir, `hosts-${n}`);
  const hosts = Array.from({ length: n }, (_, i) => `worker${i} ansible_host=10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
  writeFileSync(
    file,
    [
      '[k8s_worker]',
      ...hosts,
      '[k8s_worker:vars]',
      "kubernetes_version='1.27'",
      "provision_roles=['remove-docker', 'install-runc', 'install-cni', 'install-containerd', 'kubelet-config']",
      '',
    ].join('\n'),
  );
  return file;
};

function cpuSeconds(args: string[]): number {
  const usage = join(dir, 'usage.json');
  const r = spawnSync(process.execPath, ['--import', './test/bench/usage-on-exit.mjs', ...args], {
    env: { ...process.env, PROVISION_BENCH_USAGE: usage },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const u = JSON.parse(readFileSync(usage, 'utf8'));
  return (u.userUs + u.systemUs) / 1e6;
}

/** Name, arguments of node, target CPU seconds (issue 27). */
const cases: [string, string[], number | undefined][] = [
  ['node -e 0 (floor)', ['-e', '0'], undefined],
  ['--version', [ENTRY, '--version'], 0.08],
  ['completion --list-hosts, 1,000 hosts', [ENTRY, 'completion', '--list-hosts', '-i', inventory(1000)], 0.15],
  ['render --limit worker99 (example)', [ENTRY, 'render', '-i', 'inventories/example/hosts.ini', '--limit', 'worker99'], 0.3],
  ['inventory --graph, 10,000 hosts', [ENTRY, 'inventory', '--graph', '-i', inventory(10_000)], 1],
  ['render, 1 host', [ENTRY, 'render', '-i', inventory(1)], undefined],
  ['render, 100 hosts', [ENTRY, 'render', '-i', inventory(100)], undefined],
];
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const load0 = loadavg()[0]!;
const rows: string[] = [];
let missed = 0;
for (const [name, args, target] of cases) {
  const runs = Array.from({ length: RUNS }, () => cpuSeconds(args)).sort((a, b) => a - b);
  const over = target !== undefined && runs[0]! > target;
  if (over) missed++;
  const verdict = target === undefined ? '' : over ? `MISSED (> ${target})` : `met (< ${target})`;
  rows.push(`| ${name} | ${runs[0]!.toFixed(3)} | ${runs[Math.floor(RUNS / 2)]!.toFixed(3)} | ${verdict} |`);
  process.stderr.write(`[bench:cli] ${rows.at(-1)}\n`);
}
console.log(`\nbench:cli ${date} UTC, ${ENTRY}, ${RUNS} runs each, load average (1 min) ${load0.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after\n`);
console.log(['| command | CPU s, fastest | CPU s, median | target |', '| --- | --- | --- | --- |', ...rows].join('\n'));
rmSync(dir, { recursive: true, force: true });
if (missed) {
  console.log(`\n${missed} command(s) above target`);
  process.exitCode = 1;
}
