/**
 * Benchmark: `provision render` for N hosts (`tsx test/bench/render-hosts.ts N`, default 1,000) must
 * take seconds, not minutes. Targets on a 2-core machine (the project's machines): 1,000 hosts under
 * 10 s and 1 GiB, 10,000 under 15 s and 1.5 GiB. Wall time depends on what else the machine runs,
 * so the process's own CPU time and the load average are printed beside it, split between
 * preparing (user-space work) and writing (mostly the kernel's, which varies with the filesystem).
 * On ext4 without a journal (these machines' root), the allocator skips inodes freed in the last
 * 60 to 300 s (`recently_deleted` in fs/ext4/ialloc.c): a run within five minutes of deleting many
 * files (an earlier run's output, which this one deletes too) writes several times slower. So
 * `npm run bench` renders 10,000 hosts first, and its figures are taken on a quiet disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { prepareRun } from '../../src/plan/prepare.js';
import { renderedFiles, writeRenderedFiles } from '../../src/plan/render.js';

const HOSTS = Number(process.argv[2] ?? process.env.BENCH_HOSTS ?? 1000);
const TARGET_MS = HOSTS > 1000 ? 15_000 : 10_000;
const TARGET_RSS = (HOSTS > 1000 ? 1.5 : 1) * 1024 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'provision-bench-'));
const lines = ['[k8s_worker]'];
for (let i = 0; i < HOSTS; i++) {
  const runtimes = i % 3 === 0 ? ` containerd_runtimes="['runc', 'runsc', 'kata']"` : '';
  lines.push(`worker${String(i).padStart(4, '0')} ansible_host=10.1.${i >> 8}.${i & 255}${runtimes}`);
}
lines.push(
  '[k8s_worker:vars]',
  "kubernetes_version='1.27'",
  "provision_roles=['remove-docker', 'install-runc', 'install-cni', 'install-containerd', 'kubelet-config']",
  "containerd_registry_mirrors={'docker.io': ['https://mirror.example.com']}",
);
writeFileSync(join(dir, 'hosts'), `${lines.join('\n')}\n`);

const start = performance.now();
const cpuStart = process.cpuUsage();
const run = prepareRun({ inventory: join(dir, 'hosts') });
const files = renderedFiles(run.hosts);
const prepared = performance.now();
const prepareCpu = process.cpuUsage(cpuStart);
writeRenderedFiles(files, join(dir, 'out'));
const end = performance.now();
const cpu = process.cpuUsage(cpuStart);
// Peak resident memory of the whole run (KiB), not the moment's.
const rss = process.resourceUsage().maxRSS * 1024;
rmSync(dir, { recursive: true, force: true });

const result = {
  hosts: run.hosts.length,
  files: files.length,
  prepare_and_render_ms: Math.round(prepared - start),
  write_ms: Math.round(end - prepared),
  total_ms: Math.round(end - start),
  cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
  prepare_cpu_ms: Math.round((prepareCpu.user + prepareCpu.system) / 1000),
  write_cpu_ms: Math.round((cpu.user + cpu.system - prepareCpu.user - prepareCpu.system) / 1000),
  peak_rss_mib: Math.round(rss / 1024 / 1024),
  load_average_1min: Number(loadavg()[0]!.toFixed(2)),
  target: `total < ${TARGET_MS} ms, rss < ${TARGET_RSS / 1024 / 1024} MiB`,
};
console.log(JSON.stringify(result, null, 2));
if (end - start > TARGET_MS || rss > TARGET_RSS) {
  console.error('bench: over target');
  process.exit(1);
}
