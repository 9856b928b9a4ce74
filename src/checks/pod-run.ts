import type { Transport } from '../transport/transport.js';
import { q } from '../transport/shell.js';
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
}

const LOG_FILE = 'check.log';
/** The label of every sandbox the check makes (ListPodSandbox finds a failed one's by it). */
const POD_LABELS = { 'provision.io/pod-check': 'true' };
/** A node's answer is bounded: the log is read up to this many bytes. */
const LOG_BYTES = 64 * 1024;

/** The log directory of a pod the check runs (made before, removed after, by the caller). */
export const podLogDirectory = (spec: Pick<PodSpec, 'handler' | 'network' | 'logRoot'>, uid: string) =>
  `${spec.logRoot}/provision-pod-check_${spec.handler}-${spec.network}_${uid}`;

/**
 * Runs one pod as kubelet would (RunPodSandbox with the handler, CreateContainer, StartContainer),
 * waits for its container to exit, and reads the container's log line back from the CRI log file
 * on the node. The container and sandbox are removed afterwards whatever happened; what cannot be
 * removed is named, and fails the pod. The log directory is the caller's (made and removed once for all pods).
 */
export async function runPod(cri: PodCri, transport: Transport, spec: PodSpec, uid: string): Promise<PodOutcome> {
  const label = `pod on ${spec.handler} (${spec.network} network)`;
  const created: { sandbox?: string; container?: string } = {};
  const outcome = await podSteps(cri, transport, spec, uid, created, label);
  const orphan = created.sandbox || outcome.ok ? undefined : await failedSandbox(cri, uid);
  const left = [...(orphan?.error ? [orphan.error] : []), ...(await removePod(cri, created.sandbox ?? orphan?.id, created.container))];
  return left.length ? { ok: false, line: `${outcome.line}; left behind: ${left.join(', ')}`, leftBehind: left } : outcome;
}

async function podSteps(
  cri: PodCri,
  transport: Transport,
  spec: PodSpec,
  uid: string,
  created: { sandbox?: string; container?: string },
  label: string,
): Promise<PodOutcome> {
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
  const started = Date.now();
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
    call = 'reading the log';
    const log = await readLog(transport, `${logDirectory}/${LOG_FILE}`);
    const line = criLogLines(log).find((l) => l.includes(spec.logLine));
    if (line === undefined) return fail(label, `the container exited 0 but "${spec.logLine}" is not in its CRI log ${logDirectory}/${LOG_FILE}`);
    return { ok: true, line: `${label}: ok, ${spec.command.join(' ')} exited 0, log line "${line}" read back (${Date.now() - started} ms)`, leftBehind: [] };
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

async function waitForExit(cri: PodCri, id: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await cri.containerStatus(id);
    if (s.state === 'CONTAINER_EXITED') return s;
    if (Date.now() > until) throw new Error(`the container did not exit within ${Math.round(timeoutMs / 1000)} s (state ${s.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function readLog(transport: Transport, file: string): Promise<string> {
  const r = await transport.run(`head -c ${LOG_BYTES} -- ${q(file)}`);
  if (r.code !== 0) throw new Error(`cannot read ${file}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/** The messages of a CRI log file's lines (`<time> <stream> <P|F> <message>`). */
export function criLogLines(log: string): string[] {
  return log
    .split('\n')
    .map((l) => /^\S+ (?:stdout|stderr) [PF] (.*)$/.exec(l)?.[1])
    .filter((m): m is string => m !== undefined);
}

/** Container first, then the sandbox (stop, remove: containerd then ends its task); each step tried whatever the others did. */
async function removePod(cri: PodCri, sandbox: string | undefined, container: string | undefined): Promise<string[]> {
  const left: string[] = [];
  const attempt = async (what: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      left.push(`${what} (${oneLine(e)})`);
    }
  };
  if (container) await attempt(`container ${container.slice(0, 12)}`, () => cri.removeContainer(container));
  if (sandbox) {
    await attempt(`sandbox ${sandbox.slice(0, 12)}`, () => cri.stopPodSandbox(sandbox));
    if (!left.length) await attempt(`sandbox ${sandbox.slice(0, 12)}`, () => cri.removePodSandbox(sandbox));
  }
  return left;
}
