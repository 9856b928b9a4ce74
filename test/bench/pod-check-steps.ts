/**
 * `npm run bench:pod-check [-- --rounds 3]`: where the pod check's time goes, call by call, on one
 * fleet node. Boots a Docker-era node, migrates it with handlers runc and crun (Debian's), then runs
 * the pod check's own act (`podCheck.act`, the code a first apply runs) a few times: both handlers at
 * once, runc alone, crun alone. Each CRI call and each command on the node is timed by wrappers around
 * the check's CRI client and transport; a table per round says when each started and how long it took.
 * Not a test: it prints figures and the load average.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { podCheck } from '../../src/checks/pod.js';
import { criForCheck } from '../../src/checks/pod-connect.js';
import type { PodCri } from '../../src/checks/pod-cri.js';
import { shimsFact } from '../../src/checks/containerd-runtimes.js';
import type { Transport } from '../../src/transport/transport.js';
import { CACHE_ROOT, Fleet, fleetUnavailable, sh } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';

const log = (s: string) => process.stderr.write(`[bench:pod-check] ${s}\n`);
const rounds = (() => {
  const i = process.argv.indexOf('--rounds');
  return i >= 0 ? Number(process.argv[i + 1]) : 3;
})();

interface Step {
  what: string;
  startMs: number;
  ms: number;
}

/** Wraps every method of `target` that returns a promise, recording when it started and how long it took. */
function timed<T extends object>(target: T, label: (method: string, args: unknown[]) => string, steps: Step[], t0: number): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const v = Reflect.get(obj, key, receiver);
      if (typeof v !== 'function' || key === 'close') return v;
      return (...args: unknown[]) => {
        const start = performance.now();
        const r = v.apply(obj, args);
        if (!(r instanceof Promise)) return r;
        return r.finally(() => steps.push({ what: label(String(key), args), startMs: start - t0, ms: performance.now() - start }));
      };
    },
  });
}

const shortId = (args: unknown[]) => (typeof args[0] === 'string' ? ` ${args[0].slice(0, 6)}` : '');
const criLabel = (m: string, args: unknown[]) => (m === 'runPodSandbox' ? `cri ${m} ${args[1]}` : `cri ${m}${shortId(args)}`);
const shLabel = (_m: string, args: unknown[]) => `sh ${String(args[0]).split('\n')[0]!.slice(0, 60)}`;

/** --trace: both runtimes through a wrapper on the node that logs each invocation's subcommand and duration. */
const TRACE = process.argv.includes('--trace');
const CRUN = TRACE ? '/usr/local/sbin/crun-traced' : '/usr/bin/crun';
const HANDLERS = [{ name: 'crun', runtime_type: 'io.containerd.runc.v2', options: { BinaryName: CRUN } }];
const tracer = (binary: string, name: string) =>
  `printf '%s\\n' '#!/bin/sh' 's=$(date +%s%N)' '${binary} "$@"' 'r=$?' 'echo "${name} $(( ($(date +%s%N) - s) / 1000000 )) ms exit $r: $*" >> /run/runtime-trace.log' 'exit $r' > /usr/local/sbin/${name}-traced && chmod 755 /usr/local/sbin/${name}-traced`;

function checkArgs(runtimes: unknown[]) {
  return {
    socket: '/run/containerd/containerd.sock',
    bin_dir: '/usr/local/bin',
    runtimes,
    nvidia_runtime: '/usr/bin/nvidia-container-runtime',
    default_runtime: 'runc',
    systemd_cgroup: true,
    runc_binary: '/usr/local/sbin/runc',
    crun_binary: CRUN,
    image: 'k8s.gcr.io/pause:3.6',
    command: ['/pause', '-v'],
    log_line: 'pause.c',
    pod_network: false,
    log_root: '/var/log/pods',
    timeout_s: 30,
    run: 'always',
  };
}

async function oneRound(transport: Transport, runtimes: unknown[], title: string): Promise<void> {
  const args = checkArgs(runtimes);
  const steps: Step[] = [];
  const probe = shimsFact(args);
  const shims = await transport.run(probe.probe);
  const facts = new Map<string, unknown>([[probe.key, probe.parse(shims.stdout, shims.code)]]);
  const t0 = performance.now();
  const tr = timed(transport, shLabel, steps, t0);
  const connect = criForCheck(transport);
  const result = await podCheck.act!(args, facts, {
    transport: tr,
    changed: true,
    cri: async (socket) => {
      const start = performance.now();
      const cri = await connect(socket);
      steps.push({ what: 'cri connect (bridge, proto load, first channel)', startMs: start - t0, ms: performance.now() - start });
      return timed<PodCri>(cri, criLabel, steps, t0);
    },
  });
  const total = performance.now() - t0;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`\n### ${title}: ${total.toFixed(0)} ms in all (load ${load})${result.failures.length ? ` FAILED: ${result.failures.join('; ')}` : ''}`);
  for (const r of result.results) console.log(`  ${r}`);
  if (TRACE) console.log((await transport.run('cat /run/runtime-trace.log; rm -f /run/runtime-trace.log')).stdout.replace(/^/gm, '    '));
  console.log('| start ms | ms | step |\n| ---: | ---: | --- |');
  for (const s of steps.sort((a, b) => a.startMs - b.startMs)) console.log(`| ${s.startMs.toFixed(0)} | ${s.ms.toFixed(0)} | ${s.what} |`);
}

async function main(): Promise<void> {
  const why = fleetUnavailable();
  if (why) throw new Error(`bench:pod-check needs the fleet: ${why}`);
  const fleet = await Fleet.up(join(CACHE_ROOT, `bench-pod-check-${process.pid}`), [{ name: 'worker01', kubeletVersion: '1.23' }], log);
  try {
    if (TRACE) fleet.ssh('worker01', tracer('/usr/bin/crun', 'crun'));
    const inventory = fleet.writeInventory(['provision_pod_check=never']);
    mkdirSync(join(fleet.state.dir, 'group_vars'));
    writeFileSync(join(fleet.state.dir, 'group_vars', 'k8s_worker.yml'), `containerd_runtimes: ${JSON.stringify(['runc', ...HANDLERS])}\n`);
    log('first apply (migrating the node; its own pod check off)');
    const r = runCli(['-i', inventory, '--known-hosts', fleet.knownHostsFile], { env: { CI: 'true' }, timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`first apply exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    // runc is provision's own (installed by the apply): traced from here on, under its own path.
    if (TRACE)
      fleet.ssh(
        'worker01',
        `mv /usr/local/sbin/runc /usr/local/sbin/runc.real && ${tracer('/usr/local/sbin/runc.real', 'runc')} && mv /usr/local/sbin/runc-traced /usr/local/sbin/runc`,
      );
    const transport = await fleet.transport('worker01');
    try {
      for (let i = 1; i <= rounds; i++) {
        await oneRound(transport, ['runc', ...HANDLERS], `round ${i}: runc and crun at once`);
        await oneRound(transport, ['runc'], `round ${i}: runc alone`);
        await oneRound(transport, HANDLERS, `round ${i}: crun alone`);
      }
      log(
        `left on the node: ${fleet.ssh('worker01', 'ctr -n k8s.io containers ls -q; ctr -n k8s.io tasks ls -q; ls /var/log/pods').stdout.trim() || 'nothing'}`,
      );
    } finally {
      await transport.close();
    }
  } finally {
    await fleet.destroy();
  }
  log(`uptime: ${sh('uptime').trim()}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
