import { BACKUP_ROOT } from '../core/constants.js';
import { ansibleBoolean } from '../core/ansible-boolean.js';
import type { HostState, HostStats, Listener, TaskResult } from '../core/events.js';
import { reportResult } from '../core/events.js';
import type { FactCache } from '../apply/fact-cache.js';
import { runHost } from '../apply/run-host.js';
import type { PreparedHost, PreparedRun } from '../plan/model.js';
import type { Transport } from '../transport/transport.js';
import { commandFailure, lastLines, runOnController } from './controller-command.js';
import { drainDryRun, withEvictionChoice } from './drain-check.js';
import { labelProblems } from './node-labels.js';
import { q as shellQuote } from '../transport/shell.js';
import { type HostPreflight, preflightHost } from './preflight.js';
import type { ApplyRunOptions } from './apply-run-options.js';
import { type Verification, verificationFor, verifyHost } from './verification.js';
import { warmPodCheck } from '../checks/pod-connect.js';

/** One host's rollout as it goes through its steps: what each step learns, the next reads. */
export interface HostRollout {
  readonly prepared: PreparedRun;
  readonly host: string;
  readonly runId: string;
  readonly opts: ApplyRunOptions;
  readonly listener: Listener;
  readonly interrupted: () => boolean;
  readonly stats: HostStats;
  readonly transport: Transport;
  /** The host's plan; the preflight replans it on the detected layout. */
  plan: PreparedHost;
  preflight?: HostPreflight;
  /** The facts the roles start from (a fork of the preflight's), read again by the verification. */
  cache?: FactCache;
  /** provision_drain: kubectl on the controller drains the node before and uncordons it after. */
  readonly drain: boolean;
  /** Whether the plan changes anything on the node, known from the preflight before any drain. */
  changes: boolean;
  /** The node is cordoned: drained by this run (or the run it resumes), or found cordoned by provision_cordoned_command. */
  cordoned: boolean;
  /** Set when the host was left undrained because nothing on it changes. */
  notDrained?: string;
  /** The roles changed something on the node in this run (the pod check runs then, or always: provision_pod_check). */
  rolesChanged?: boolean;
}

/** A step of a host's rollout; false stops the host there (the failure is already reported). */
export interface HostStep {
  name: string;
  run(h: HostRollout): Promise<boolean>;
}

/**
 * The host's rollout order. Nothing is drained before every check of the preflight passed, and a
 * node is uncordoned only after it passed verification: one that fails stays cordoned.
 */
export const HOST_STEPS: readonly HostStep[] = [
  { name: 'preflight', run: preflight },
  { name: 'drain', run: drain },
  { name: 'roles', run: roles },
  { name: 'verify', run: verify },
  { name: 'label', run: label },
  { name: 'annotate', run: annotate },
  { name: 'uncordon', run: uncordon },
];

const step = (h: HostRollout, task: string, result: Pick<TaskResult, 'status'> & Partial<TaskResult>) =>
  reportResult(h.stats, h.listener, { host: h.host, role: 'rollout', task, handler: false, changes: [], ...result });

const starting = (h: HostRollout, task: string) => h.listener({ type: 'task-start', host: h.host, role: 'rollout', task, handler: false });

const reached = (h: HostRollout, state: HostState) => h.listener({ type: 'host-state', host: h.host, state });

/** An operator's command on the controller (kubectl), as a task of the host; in check mode only named. */
async function controller(h: HostRollout, task: string, command: string): Promise<boolean> {
  starting(h, task);
  if (h.opts.check) return step(h, task, { status: 'skipped', reason: `check mode: would run ${command}` });
  const r = await runOnController(command);
  return r.code === 0 ? step(h, task, { status: 'changed', changes: [command] }) : step(h, task, { status: 'failed', error: commandFailure(command, r) });
}

/** The roles' checks, when verification is on (not in check mode: nothing was applied to check). */
const verifying = (h: HostRollout, plan: PreparedHost): Verification | undefined =>
  ansibleBoolean(plan.vars.provision_verify) && !h.opts.check ? verificationFor(plan) : undefined;

/**
 * The layout detected and every check made, read-only, before the host is drained or touched; the
 * tasks planned in check mode tell whether anything on the node changes. The verification's facts
 * ride on this first gather: a converged host is verified without a round trip of its own.
 */
async function preflight(h: HostRollout): Promise<boolean> {
  const p = await preflightHost(h.prepared, h.plan, h.transport, {
    planTasks: !h.opts.check,
    diff: !!h.opts.diff,
    verifyContent: !!h.opts.verifyContent,
    afterFacts: (plan) => verifying(h, plan)?.readOnlyFacts ?? [],
  });
  h.plan = p.plan;
  h.preflight = p;
  // In check mode the tasks were not planned here: the drain is only named, as if something changed.
  h.changes = p.changes === undefined || p.changes > 0;
  if (p.problems.length) {
    const { docker, kubelet, criDockerd } = p.layout;
    starting(h, 'preflight');
    return step(h, 'preflight', {
      status: 'failed',
      error: `found docker ${docker}, kubelet ${kubelet}${criDockerd ? ', cri-dockerd' : ''}; nothing was changed:\n${p.problems.join('\n')}`,
    });
  }
  const evictions = await drainDryRunOf(h);
  if (evictions) {
    starting(h, 'preflight');
    return step(h, 'preflight', { status: 'failed', error: `the node's pods cannot all be evicted; nothing was changed:\n${evictions}` });
  }
  // What the operator should know about the node (carried Docker settings, workloads), in the report and after the recap.
  if (p.notes.length) {
    starting(h, 'notes');
    step(h, 'notes', { status: 'ok', reason: p.notes.join('\n') });
  }
  return true;
}

/** The drain's dry run, for a host that will be drained now (not one a resumed run drained already). */
function drainDryRunOf(h: HostRollout): Promise<string | undefined> {
  if (!h.drain || !h.changes || h.cordoned || h.opts.check) return Promise.resolve(undefined);
  return drainDryRun(h.plan.vars, h.opts.disableEviction);
}

/** Drains only a node whose plan changes something; a failed drain fails the host before anything touches it. */
async function drain(h: HostRollout): Promise<boolean> {
  if (!h.drain) return true;
  if (!h.changes) {
    if (!h.cordoned) h.cordoned = await foundCordoned(h);
    h.notDrained = 'nothing to change';
    starting(h, 'drain node');
    return step(h, 'drain node', {
      status: 'skipped',
      reason: `nothing to change: not drained${h.cordoned ? '; the node is cordoned, and is uncordoned once its checks pass' : ''}`,
    });
  }
  if (h.cordoned) {
    starting(h, 'drain node');
    return step(h, 'drain node', { status: 'skipped', reason: 'drained by the run this one resumes: not drained again' });
  }
  if (!(await controller(h, 'drain node', withEvictionChoice(String(h.plan.vars.provision_drain_command), h.opts.disableEviction)))) return false;
  h.cordoned = true;
  if (!h.opts.check) reached(h, 'drained');
  return true;
}

/**
 * Whether a converged node is cordoned (an earlier run stopped before its uncordon). A command
 * that fails leaves the node as it is: uncordoning a node someone cordoned on purpose is worse.
 */
async function foundCordoned(h: HostRollout): Promise<boolean> {
  const command = String(h.plan.vars.provision_cordoned_command ?? '').trim();
  if (!command || h.opts.check) return false;
  const r = await runOnController(command, 120_000);
  if (r.code !== 0) {
    starting(h, 'cordoned');
    step(h, 'cordoned', { status: 'ok', reason: `could not tell whether the node is cordoned (${command}: exit ${r.code}): left as it is` });
    return false;
  }
  return r.stdout.trim() === 'true';
}

/** The host's roles, on a fork of the preflight's facts; the verification's facts ride on their last gather. */
async function roles(h: HostRollout): Promise<boolean> {
  const verification = verifying(h, h.plan);
  if (h.changes && !h.opts.check) warmPodCheck(h.plan.roles.flatMap((r) => r.checks));
  h.cache = h.preflight!.cache.fork();
  const changedBefore = h.stats.changed;
  await runHost(h.plan, h.transport, {
    check: !!h.opts.check,
    diff: !!h.opts.diff,
    verifyContent: !!h.opts.verifyContent,
    runId: h.runId,
    backupRoot: h.opts.backupRoot ?? BACKUP_ROOT,
    interrupted: h.interrupted,
    listener: h.listener,
    cache: h.cache,
    timeLimitS: h.opts.timeLimitS ?? numberOrUndefined(h.plan.vars.provision_task_timeout),
    stats: h.stats,
    ...(verification ? { afterFacts: verification } : {}),
  });
  h.rolesChanged = h.stats.changed > changedBefore;
  if (h.stats.failed || h.interrupted()) return false;
  if (h.changes && !h.opts.check) reached(h, 'applied');
  return true;
}

/** The roles' checks (a host that fails them stays cordoned), then, for a cordoned node, the runtime kubelet reports. */
async function verify(h: HostRollout): Promise<boolean> {
  const verification = verifying(h, h.plan);
  if (verification) {
    starting(h, 'verify node');
    // The checks' facts are judged first; a check that acts (the pod check) runs only when they pass.
    const v = await verifyHost(verification, h.cache!, h.transport, !!h.rolesChanged);
    if (!step(h, 'verify node', v.ok ? { status: 'ok', reason: v.reason } : { status: 'failed', error: v.error })) return false;
  }
  if (h.cordoned && ansibleBoolean(h.plan.vars.provision_verify_pull) && !h.opts.check && !(await nodeRuntime(h))) return false;
  if (!h.opts.check) reached(h, 'verified');
  return true;
}

/** kubelet reports its runtime in the node status it posts every few seconds: retried for a minute. */
async function nodeRuntime(h: HostRollout): Promise<boolean> {
  const command = String(h.plan.vars.provision_node_runtime_command);
  starting(h, 'node runtime');
  let last = '';
  for (let attempt = 0; attempt < 12; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 5000));
    const r = await runOnController(command, 60_000);
    last = r.code === 0 ? r.stdout.trim() : `exit ${r.code}: ${lastLines(r.stderr, 2).replace(/\n/g, ' ')}`;
    if (r.code === 0 && last.startsWith('containerd://')) return step(h, 'node runtime', { status: 'ok', reason: `the node reports ${last}` });
  }
  return step(h, 'node runtime', { status: 'failed', error: `${command}: the node reports ${last || 'nothing'}, not containerd://<version>` });
}

/**
 * provision_node_labels, once the node is verified: on a node this run migrated or finishes (a
 * converged node was labelled by the run that migrated it). A bad label fails the host, which stays cordoned.
 */
async function label(h: HostRollout): Promise<boolean> {
  const labels = h.plan.vars.provision_node_labels;
  if (!h.drain || !(h.changes || h.cordoned) || labels === undefined || labels === null) return true;
  const problems = labelProblems(labels);
  if (!problems.length && Object.keys(labels as object).length === 0) return true;
  if (problems.length) {
    starting(h, 'label node');
    return step(h, 'label node', { status: 'failed', error: problems.join('\n') });
  }
  const pairs = Object.entries(labels as Record<string, unknown>).map(([k, v]) => shellQuote(`${k}=${String(v)}`));
  return controller(h, 'label node', `${String(h.plan.vars.provision_label_command)} ${pairs.join(' ')}`);
}

async function annotate(h: HostRollout): Promise<boolean> {
  const command = String(h.plan.vars.provision_cri_socket_annotate_command ?? '').trim();
  return !(h.cordoned && command) || controller(h, 'annotate node', command);
}

async function uncordon(h: HostRollout): Promise<boolean> {
  if (!h.cordoned) return true;
  if (!(await controller(h, 'uncordon node', String(h.plan.vars.provision_uncordon_command)))) return false;
  if (!h.opts.check) reached(h, 'uncordoned');
  return true;
}

export const numberOrUndefined = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
