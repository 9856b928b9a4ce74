import type { ContainerConfig, PodCri, PodSandboxConfig } from './pod-cri.js';

/** One pod the check runs: which handler, which network, and the container that must print `logLine`. */
export interface PodSpec {
  handler: string;
  network: 'host' | 'pod';
  image: string;
  command: string[];
  logLine: string;
  /** Where the pod's log directory is made (kubelet's is /var/log/pods). */
  logRoot: string;
  timeoutMs: number;
  /** The pods' parent cgroup, in the node's cgroup driver's form (a systemd slice, or a cgroupfs path) as kubelet gives it. */
  cgroupParent: string;
}

export interface PodOutcome {
  ok: boolean;
  /** One line: what ran and how it ended, or the CRI call that failed with the runtime's own text. */
  line: string;
  /** What could not be removed afterwards (a sandbox or container left behind). */
  leftBehind: string[];
  /**
   * The container exited 0: its CRI log file on the node, whose line the caller reads back (with the
   * other pods' logs, in the one command that also removes their log directories).
   */
  logFile?: string;
}

const LOG_FILE = 'check.log';
/** The label of every sandbox the check makes (ListPodSandbox finds a failed one's by it). */
const POD_LABELS = { 'provision.io/pod-check': 'true' };
/** A node's answer is bounded: the log is read up to this many bytes. */
export const LOG_BYTES = 64 * 1024;

/** The log directory of a pod the check runs (containerd makes it when the container starts, as kubelet's; the caller removes it). */
export const podLogDirectory = (spec: Pick<PodSpec, 'handler' | 'network' | 'logRoot'>, uid: string) =>
  `${spec.logRoot}/provision-pod-check_${spec.handler}-${spec.network}_${uid}`;

/**
 * Runs one pod as kubelet would (RunPodSandbox with the handler, CreateContainer, StartContainer) and
 * waits for its container to exit 0. The container and sandbox are removed afterwards whatever
 * happened; what cannot be removed is named, and fails the pod. Its log line is the caller's to read
 * back (`logFile`, then `withLog`): one command on the node reads every pod's and removes their directories.
 */
export async function runPod(cri: PodCri, spec: PodSpec, uid: string): Promise<PodOutcome> {
  const label = `pod on ${spec.handler} (${spec.network} network)`;
  const created: { sandbox?: string; container?: string } = {};
  const started = Date.now();
  const outcome = await podSteps(cri, spec, uid, created, label);
  const orphan = created.sandbox || outcome.ok ? undefined : await failedSandbox(cri, uid);
  const left = [...(orphan?.error ? [orphan.error] : []), ...(await removePod(cri, created.sandbox ?? orphan?.id, created.container))];
  const line = outcome.logFile ? `${outcome.line} (${Date.now() - started} ms)` : outcome.line;
  return { ...outcome, line, ok: outcome.ok && !left.length, leftBehind: left };
}

/** The pod's final outcome, once its CRI log file was read back (`log`: what reading it printed, and its exit code). */
export function withLog(outcome: PodOutcome, spec: PodSpec, log?: { code: number; out: string }): PodOutcome {
  const label = outcome.line.slice(0, outcome.line.indexOf(': '));
  const leftBehind = outcome.leftBehind.length ? `; left behind: ${outcome.leftBehind.join(', ')}` : '';
  const final = (ok: boolean, line: string): PodOutcome => ({ ok: ok && !leftBehind, line: `${line}${leftBehind}`, leftBehind: outcome.leftBehind });
  if (!outcome.logFile) return final(outcome.ok, outcome.line);
  if (!log) return final(false, `${label}: exited 0, but its log could not be read back`);
  if (log.code !== 0) return final(false, `${label}: reading the log failed: cannot read ${outcome.logFile}: ${log.out.trim() || `exit ${log.code}`}`);
  const line = criLogLines(log.out).find((l) => l.includes(spec.logLine));
  if (line === undefined) return final(false, `${label}: the container exited 0 but "${spec.logLine}" is not in its CRI log ${outcome.logFile}`);
  const took = / \(\d+ ms\)$/.exec(outcome.line)?.[0] ?? '';
  return final(true, `${label}: ok, ${spec.command.join(' ')} exited 0, log line "${line}" read back${took}`);
}

async function podSteps(cri: PodCri, spec: PodSpec, uid: string, created: { sandbox?: string; container?: string }, label: string): Promise<PodOutcome> {
  const logDirectory = podLogDirectory(spec, uid);
  const sandboxConfig: PodSandboxConfig = {
    metadata: { name: `provision-pod-check-${spec.handler}-${spec.network}`, uid, namespace: 'provision-pod-check', attempt: 0 },
    // As kubelet: a hostname only for a pod with its own network (and so UTS) namespace; runc refuses one otherwise.
    ...(spec.network === 'pod' ? { hostname: 'provision-pod-check' } : {}),
    logDirectory,
    labels: POD_LABELS,
    linux: { cgroupParent: spec.cgroupParent, securityContext: { namespaceOptions: { network: spec.network === 'host' ? 'NODE' : 'POD' } } },
  };
  const config: ContainerConfig = {
    metadata: { name: 'check', attempt: 0 },
    image: { image: spec.image },
    command: spec.command,
    logPath: LOG_FILE,
    labels: { 'provision.io/pod-check': 'true' },
  };
  let call = 'RunPodSandbox';
  try {
    created.sandbox = await cri.runPodSandbox(sandboxConfig, spec.handler);
    call = 'CreateContainer';
    created.container = await cri.createContainer(created.sandbox, config, sandboxConfig);
    call = 'StartContainer';
    await cri.startContainer(created.container);
    call = 'ContainerStatus';
    const status = await waitForExit(cri, created.container, spec.timeoutMs);
    if (status.exitCode !== 0)
      return fail(label, `the container exited ${status.exitCode}${status.reason ? ` (${status.reason})` : ''}${status.message ? `: ${status.message}` : ''}`);
    return { ok: true, line: `${label}: exited 0`, leftBehind: [], logFile: `${logDirectory}/${LOG_FILE}` };
  } catch (e) {
    return fail(label, `${call} failed: ${oneLine(e)}`);
  }
}

/**
 * The sandbox a failed RunPodSandbox left, found by the pod's uid among the check's own: containerd keeps one whose
 * network it could not tear down (a CNI DEL that fails as the ADD did), NOTREADY, for kubelet's collector to stop and
 * remove. The check is that collector for its own pods; a sandbox it cannot remove is named as left behind.
 */
async function failedSandbox(cri: PodCri, uid: string): Promise<{ id?: string; error?: string }> {
  try {
    return { id: (await cri.listPodSandbox(POD_LABELS)).find((p) => p.metadata?.uid === uid)?.id };
  } catch (e) {
    return { error: `any sandbox of the failed RunPodSandbox (ListPodSandbox failed: ${oneLine(e)})` };
  }
}

const fail = (label: string, why: string): PodOutcome => ({ ok: false, line: `${label}: ${why}`, leftBehind: [] });

/** The CRI error's own text ("failed to create shim task: ..."), on one line and bounded. */
export const oneLine = (e: unknown) => {
  const text = e instanceof Error ? e.message : String(e);
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}...` : flat;
};

/**
 * Polls ContainerStatus until the container has exited: at once (a short command has usually exited by
 * the time StartContainer returns), then after 20 ms, doubling to at most 200 ms, so a quick exit is
 * seen within a round trip or two and a slow one costs the node few calls.
 */
async function waitForExit(cri: PodCri, id: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (let pause = 20; ; pause = Math.min(pause * 2, 200)) {
    const s = await cri.containerStatus(id);
    if (s.state === 'CONTAINER_EXITED') return s;
    if (Date.now() > until) throw new Error(`the container did not exit within ${Math.round(timeoutMs / 1000)} s (state ${s.state})`);
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** The messages of a CRI log file's lines (`<time> <stream> <P|F> <message>`). */
export function criLogLines(log: string): string[] {
  return log
    .split('\n')
    .map((l) => /^\S+ (?:stdout|stderr) [PF] (.*)$/.exec(l)?.[1])
    .filter((m): m is string => m !== undefined);
}

/**
 * The container's removal and the sandbox's stop at once (the container has exited: stopping its sandbox
 * does not touch it), then the sandbox's removal (containerd then ends its task); each step tried
 * whatever the others did, the removal only once both went through.
 */
async function removePod(cri: PodCri, sandbox: string | undefined, container: string | undefined): Promise<string[]> {
  const left: string[] = [];
  const attempt = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      left.push(`${what} (${oneLine(e)})`);
    }
  };
  await Promise.all([
    container ? attempt(`container ${container.slice(0, 12)}`, () => cri.removeContainer(container)) : undefined,
    sandbox ? attempt(`sandbox ${sandbox.slice(0, 12)}`, () => cri.stopPodSandbox(sandbox)) : undefined,
  ]);
  if (sandbox && !left.length) await attempt(`sandbox ${sandbox.slice(0, 12)}`, () => cri.removePodSandbox(sandbox));
  return left;
}
