/**
 * Benchmark: the built CLI's own CPU for commands that touch no node (`npm run bench:cli`, after
 * `npm run build`): `--version` (start-up alone) and `render` of a one-host and a 100-host
 * inventory (start-up, roles, templates, preparing the hosts). The kernel's accounting of the
 * process (as bench:fleet takes it), the fastest and the median of RUNS runs, with the load beside
 * it: on a shared machine the fastest run is the one least disturbed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'provision-bench-cli-'));
const inventory = (n: number) => {
  const file = join(dir, `hosts-${n}`);
  const hosts = Array.from({ length: n }, (_, i) => `worker${i} ansible_host=10.0.${i >> 8}.${i & 255}`);
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
  const r = spawnSync(process.execPath, ['--import', './test/bench/usage-on-exit.mjs', 'dist/cli/main.js', ...args], {
    env: { ...process.env, PROVISION_BENCH_USAGE: usage },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`provision ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const u = JSON.parse(readFileSync(usage, 'utf8'));
  return (u.userUs + u.systemUs) / 1e6;
}

const cases: [string, string[]][] = [
  ['--version', ['--version']],
  ['render, 1 host', ['render', '-i', inventory(1)]],
  ['render, 100 hosts', ['render', '-i', inventory(100)]],
];
for (const [name, args] of cases) {
  const runs = Array.from({ length: RUNS }, () => cpuSeconds(args)).sort((a, b) => a - b);
  console.log(`${name.padEnd(18)} CPU s: fastest ${runs[0]!.toFixed(3)}, median ${runs[Math.floor(RUNS / 2)]!.toFixed(3)} (${RUNS} runs)`);
}
console.log(`load average (1 min): ${loadavg()[0]!.toFixed(2)}`);
rmSync(dir, { recursive: true, force: true });
