import { randomUUID } from 'node:crypto';
import { parseAnsibleBoolean } from '../core/ansible-boolean.js';
import { factValue, type FactValues } from '../facts/fact.js';
import { probeScript } from '../facts/probe-script.js';
import type { Args } from '../tasks/task-type.js';
import { q } from '../transport/shell.js';
import { type CheckActResult, type CheckNode, commandFact, defineCheckType } from './check-type.js';
import { HANDLER_ARGS, handlersOf, shimBinary, shimsFact } from './containerd-runtimes.js';
import type { PodCri } from './pod-cri.js';
import { LOG_BYTES, oneLine, type PodSpec, podLogDirectory, runPod, withLog } from './pod-run.js';

/** When the check runs: on a run that changed the host (the default), on every run, or never. */
export const POD_CHECK_RUNS = ['first', 'always', 'never'] as const;

/** CRI Status must report these two conditions true before kubelet (or this check) starts a pod. */
const READY = ['RuntimeReady', 'NetworkReady'];
/** How long a just-restarted containerd may take to report both ready: its CRI plugin and CNI config load in a second or two. */
const READY_WITHIN_MS = 10_000;

/** The handlers whose shim (and BinaryName, when given by path) is on the node: the others cannot run a pod. */
export function runnableHandlers(args: Args, facts: FactValues): { runnable: string[]; missing: string[] } {
  const found = new Set(factValue(facts, shimsFact(args)).out.split('\n').filter(Boolean));
  const runnable: string[] = [];
  const missing: string[] = [];
  for (const h of handlersOf(args)) {
    const shim = shimBinary(h.runtime_type);
    const binary = typeof h.options.BinaryName === 'string' && h.options.BinaryName.startsWith('/') ? h.options.BinaryName : undefined;
    const absent = [shim && !found.has(shim) ? shim : undefined, binary && !found.has(binary) ? binary : undefined].filter(Boolean);
    if (absent.length) missing.push(`${h.name} (${absent.join(', ')} not on the node)`);
    else runnable.push(h.name);
  }
  return { runnable, missing };
}

/**
 * The pods' parent cgroup as kubelet would give it for the driver containerd uses: with SystemdCgroup
 * runc takes only "slice:prefix:name" paths (a cgroupfs path there fails every pod: "expected cgroupsPath to be
 * of format slice:prefix:name"), so kubelet's cgroupDriver must agree, and the check sends what kubelet would.
 */
const cgroupParentOf = (args: Args) => (parseAnsibleBoolean(args.systemd_cgroup) === true ? `${CGROUP}.slice` : `/${CGROUP}`);
const CGROUP = 'provision_pod_check';

/** The pods the check runs: every runnable handler on the host network, and the default handler on the pod network when asked. */
export function podsToRun(args: Args, runnable: string[]): PodSpec[] {
  const base = {
    image: String(args.image),
    command: (args.command as unknown[]).map(String),
    logLine: String(args.log_line),
    logRoot: String(args.log_root),
    timeoutMs: Number(args.timeout_s) * 1000,
    cgroupParent: cgroupParentOf(args),
  };
  const pods: PodSpec[] = runnable.map((handler) => ({ ...base, handler, network: 'host' }));
  const def = String(args.default_runtime);
  if (parseAnsibleBoolean(args.pod_network) === true && runnable.includes(def)) pods.push({ ...base, handler: def, network: 'pod' });
  return pods;
}

/**
 * Proves the node runs pods as kubelet would start them, through CRI on containerd's socket:
 * Status (RuntimeReady, NetworkReady), then per handler a sandbox and one container that must exit 0
 * and whose line must be in its CRI log file, read back on the node. Everything it made is removed.
 */
export const podCheck = defineCheckType({
  name: 'pod',
  doc: 'runs a pod through CRI on every runtime handler whose shim is on the node: a sandbox and a container that must exit 0 and log its line; removes them',
  args: {
    socket: { type: 'string', required: true, doc: "containerd's CRI socket on the node" },
    ...HANDLER_ARGS,
    default_runtime: { type: 'string', required: true, doc: 'the handler pods without a RuntimeClass use (run on the pod network too)' },
    image: { type: 'string', required: true, doc: 'the container image, already on the node (the sandbox image is)' },
    command: { type: 'list', required: true, doc: 'the container command; it must exit 0' },
    log_line: { type: 'string', required: true, doc: 'text one line of its output must hold' },
    pod_network: { type: 'boolean', doc: 'also run a pod on the pod (CNI) network, with the default handler' },
    log_root: { type: 'string', required: true, doc: 'where the pods’ log directories are made (and removed)' },
    timeout_s: { type: 'integer', required: true, doc: 'how long the container may take to exit' },
    run: { type: 'string', required: true, choices: [...POD_CHECK_RUNS], doc: 'first (a run that changed the host), always or never' },
  },
  facts: (args) => [shimsFact(args)],
  // It acts: its facts ride with the others, the judgement is in act.
  judge: () => ({ failures: [] }),
  act: podCheckAct,
});

async function podCheckAct(args: Args, facts: FactValues, node: CheckNode): Promise<CheckActResult> {
  const run = String(args.run);
  if (run === 'never' || (run === 'first' && !node.changed))
    return { failures: [], results: [`pod check not run (${run === 'never' ? 'never' : 'this run changed nothing on the host'})`] };
  const { runnable, missing } = runnableHandlers(args, facts);
  const results = missing.map((m) => `no pod on ${m}`);
  let cri: PodCri;
  try {
    cri = await node.cri(String(args.socket));
  } catch (e) {
    const failure = `CRI on ${args.socket}: ${oneLine(e)}`;
    return { failures: [failure], results: [...results, failure] };
  }
  try {
    const notReady = await untilReady(cri, Math.min(Number(args.timeout_s) * 1000, READY_WITHIN_MS));
    if (notReady.length) return { failures: notReady, results: [...results, ...notReady] };
    return await runPods(cri, node, podsToRun(args, runnable), results);
  } catch (e) {
    const failure = `pod check on ${args.socket}: ${oneLine(e)}`;
    return { failures: [failure], results: [...results, failure] };
  } finally {
    cri.close();
  }
}

/**
 * Asks Status until RuntimeReady and NetworkReady are both true, as kubelet does before it starts a pod: right
 * after a restart containerd answers "server is not initialized yet" while its CRI plugin loads, and reports
 * NetworkReady false until it has read the CNI config. Asked at once, then after 50 ms doubling to 1 s, for at
 * most READY_WITHIN_MS (or the check's time limit, if shorter); what is still not ready then is the failure.
 */
export async function untilReady(cri: Pick<PodCri, 'status'>, withinMs: number): Promise<string[]> {
  const until = Date.now() + withinMs;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
    let notReady: string[];
    try {
      const status = await cri.status();
      notReady = READY.map((type) => ({ type, c: status.conditions.find((c) => c.type === type) }))
        .filter(({ c }) => !c?.status)
        .map(({ type, c }) => `CRI Status: ${type} is ${c ? `false${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}` : 'not reported'}`);
    } catch (e) {
      notReady = [`CRI Status: ${oneLine(e)}`];
    }
    if (!notReady.length || Date.now() + pause > until) return notReady;
    await new Promise((r) => setTimeout(r, pause));
  }
}

/**
 * The pods run at once (each on its own handler): the check costs about one pod's time, not one per
 * handler. Then one command on the node reads every pod's CRI log back and removes their log
 * directories and parent cgroup, whatever the pods did.
 */
async function runPods(cri: PodCri, node: CheckNode, pods: PodSpec[], results: string[]): Promise<CheckActResult> {
  if (!pods.length) return { failures: ['no runtime handler can run a pod: none has its shim on the node'], results };
  const uids = pods.map(() => randomUUID());
  const ran = await Promise.all(pods.map((pod, i) => runPod(cri, pod, uids[i]!)));
  const dirs = pods.map((p, i) => podLogDirectory(p, uids[i]!));
  const logs = ran.map((o, i) => commandFact(`pod-log-${i}`, o.logFile ? `head -c ${LOG_BYTES} -- ${q(o.logFile)}` : 'true'));
  // The parent cgroup too, where it is empty (a systemd slice is stopped; cgroupfs directories removed).
  const cgroups = `systemctl stop ${CGROUP}.slice 2>/dev/null; for d in /sys/fs/cgroup/${CGROUP} /sys/fs/cgroup/*/${CGROUP}; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done; true`;
  const cleanup = commandFact('pod-cleanup', `rm -rf -- ${dirs.map(q).join(' ')} && { ${cgroups}; }`);
  const batch = probeScript([...logs, cleanup]);
  const failures: string[] = [];
  let answer: FactValues | undefined;
  try {
    const r = await node.transport.run(batch.script);
    answer = batch.parse(r.stdout);
  } catch (e) {
    failures.push(`cannot read the pods' logs back or remove their log directories: ${oneLine(e)}`);
  }
  for (const [i, outcome] of ran.entries()) {
    const done = withLog(outcome, pods[i]!, answer && factValue(answer, logs[i]!));
    results.push(done.line);
    if (!done.ok) failures.push(done.line);
  }
  const removed = answer && factValue(answer, cleanup);
  if (removed && removed.code !== 0) failures.push(`cannot remove the pods' log directories: ${removed.out.trim()}`);
  return { failures, results };
}
