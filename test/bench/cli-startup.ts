/**
 * Benchmark: the built CLI's own CPU for commands a person types and waits on (`npm run bench:cli`,
 * after `npm run build`), against the targets of issue 27: `--version` (start-up alone),
 * `completion --list-hosts` of a 1,000-host inventory (bash runs it at every TAB after --limit),
 * `render --limit` of one host of the example inventory, `inventory --graph` of 10,000 hosts; and,
 * without a target, `render` of a one-host and a 100-host inventory, and node itself (`node -e 0`, the
 * floor under every figure; where NODE_EXTRA_CA_CERTS is set, also without it: see src/cli/launcher.ts).
 * Each command runs as a person runs it, the bin executed (its launcher line included); the kernel's
 * accounting of the process, the fastest and the median of RUNS runs, with the load beside them: on a
 * shared machine the fastest run is the one least disturbed. Exits 1 when a fastest run is above its target.
 * BENCH_CLI_ENTRY: the executable to run (default: package.json's bin).
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

/**
 * The CPU of one run of `command args`, as the kernel accounts it to bash for its waited-for child (bash's
 * `times`, from wait4's rusage, to the millisecond): nothing is loaded into the measured process, and what
 * happens before node runs JavaScript (the launcher, node's own start) is counted, as a person waits on it.
 */
function cpuSeconds(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync('bash', ['-c', '"$@" >/dev/null; s=$?; times; exit $s', 'bench', command, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  // times: the shell's own user and system time, then its children's: "0m0.021s 0m0.004s".
  const children = r.stdout.trim().split('\n').at(-1)!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read bash's times: ${JSON.stringify(r.stdout)}`);
  return seconds[0]! + seconds[1]!;
}

const withoutExtraCaCerts = { ...process.env, NODE_EXTRA_CA_CERTS: undefined };
// The bench's own cache of roles and compiled templates: warm after a command's first run (the fastest run is
// a warm one), and a row of its own with the cache emptied before every run.
const warm = { ...process.env, PROVISION_CACHE_DIR: join(dir, 'cache') };
const cold = () => ({ ...process.env, PROVISION_CACHE_DIR: mkdtempSync(join(dir, 'cold-')) });
type Case = { name: string; run: () => number; target?: number };
const cli = (name: string, args: string[], target?: number): Case => ({ name, run: () => cpuSeconds(ENTRY, args, warm), target });
const renderLimit = ['render', '-i', 'inventories/example/hosts.ini', '--limit', 'worker99'];
/** The floor (node itself) and the commands, run as a person runs the bin; targets in CPU seconds (issue 27). */
const cases: Case[] = [
  { name: 'node -e 0 (floor)', run: () => cpuSeconds(process.execPath, ['-e', '0']) },
  ...(process.env.NODE_EXTRA_CA_CERTS
    ? [{ name: 'node -e 0, NODE_EXTRA_CA_CERTS unset', run: () => cpuSeconds(process.execPath, ['-e', '0'], withoutExtraCaCerts) }]
    : []),
  cli('--version', ['--version'], 0.08),
  cli('completion --list-hosts, 1,000 hosts', ['completion', '--list-hosts', '-i', inventory(1000)], 0.15),
  cli('render --limit worker99 (example)', renderLimit, 0.3),
  { name: 'render --limit worker99, cache cold', run: () => cpuSeconds(ENTRY, renderLimit, cold()) },
  cli('inventory --graph, 10,000 hosts', ['inventory', '--graph', '-i', inventory(10_000)], 1),
  cli('render, 1 host', ['render', '-i', inventory(1)]),
  cli('render, 100 hosts', ['render', '-i', inventory(100)]),
];
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const load0 = loadavg()[0]!;
const rows: string[] = [];
let missed = 0;
for (const { name, run, target } of cases) {
  const runs = Array.from({ length: RUNS }, run).sort((a, b) => a - b);
  const over = target !== undefined && runs[0]! > target;
  if (over) missed++;
  const verdict = target === undefined ? '' : over ? `MISSED (> ${target})` : `met (< ${target})`;
  rows.push(`| ${name} | ${runs[0]!.toFixed(3)} | ${runs[Math.floor(RUNS / 2)]!.toFixed(3)} | ${verdict} |`);
  process.stderr.write(`[bench:cli] ${rows.at(-1)}\n`);
}
console.log(
  `\nbench:cli ${date} UTC, ${ENTRY}, ${RUNS} runs each, NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}, load average (1 min) ${load0.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after\n`,
);
console.log(['| command | CPU s, fastest | CPU s, median | target |', '| --- | --- | --- | --- |', ...rows].join('\n'));
rmSync(dir, { recursive: true, force: true });
if (missed) {
  console.log(`\n${missed} command(s) above target`);
  process.exitCode = 1;
}
