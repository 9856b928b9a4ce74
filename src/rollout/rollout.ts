import { BACKUP_ROOT, DEFAULT_FORKS } from '../core/constants.js';
import { newRunId } from '../core/run-id.js';
import { ExitCode } from '../core/exit-codes.js';
import { type HostStats, type Listener, type TaskResult, emptyStats, reportResult } from '../core/events.js';
import { ansibleBoolean } from '../core/ansible-boolean.js';
import type { ConnectionSpec } from '../inventory/connection.js';
import type { Transport } from '../transport/transport.js';
import { batchAborts, batchesOf, type Serial } from './waves.js';
import { runOnController } from './controller-command.js';
import type { PreparedHost, PreparedRun } from '../plan/prepare.js';
import { inHostSession } from './host-session.js';
import { preflightHost } from './preflight.js';
import { runHost } from '../apply/run-host.js';
import { verificationFor, verifyHost } from './verification.js';

export type TransportFactory = (host: string, spec: ConnectionSpec) => Promise<Transport>;

export interface RunOptions {
  check?: boolean;
  diff?: boolean;
  /** --verify-content: receipts' quick check is not trusted; archives and downloads are read. */
  verifyContent?: boolean;
  forks?: number;
  runId?: string;
  /** Default /var/backups/provision. */
  backupRoot?: string;
  /** Batches, as Ansible's serial; default: the first host's provision_serial, else one batch. */
  serial?: Serial;
  /** Default: the first host's provision_max_fail_percentage. */
  maxFailPercentage?: number;
  connect: TransportFactory;
  listener?: Listener;
  interrupted?: () => boolean;
  /** Seconds an apply script may run (--task-timeout); default: each host's provision_task_timeout. */
  taskTimeoutS?: number;
}

export interface RunSummary {
  runId: string;
  stats: Record<string, HostStats>;
  /** Hosts never started (interrupted, or after a batch that ended the rollout). */
  notStarted: string[];
  /** A batch failed beyond the failure budget. */
  aborted: boolean;
  exitCode: number;
}

/**
 * Applies the prepared plan host by host, in batches (`serial`), `forks` hosts of a batch at a
 * time. Each host: drain (if asked), its roles, verification, uncordon. A host's failure is a
 * result; a batch whose failures exceed `maxFailPercentage` (or that failed entirely) ends the
 * rollout, and the hosts after it are never started.
 */
export async function applyRun(prepared: PreparedRun, opts: RunOptions): Promise<RunSummary> {
  const runId = opts.runId ?? newRunId();
  const listener = opts.listener ?? (() => {});
  const interrupted = opts.interrupted ?? (() => false);
  const stats: Record<string, HostStats> = {};
  const notStarted: string[] = [];
  const first = prepared.hosts[0]?.vars ?? {};
  const serial = opts.serial ?? (first.provision_serial as Serial | undefined);
  const maxFail = opts.maxFailPercentage ?? numberOrUndefined(first.provision_max_fail_percentage);
  const batches = batchesOf(prepared.hosts, serial);
  let aborted = false;

  for (const [index, batch] of batches.entries()) {
    if (aborted || interrupted()) {
      notStarted.push(...batch.map((h) => h.host));
      continue;
    }
    if (batches.length > 1) listener({ type: 'batch-start', index: index + 1, of: batches.length, hosts: batch.map((h) => h.host) });
    const queue = [...batch];
    const worker = async () => {
      for (let plan = queue.shift(); plan; plan = queue.shift()) {
        if (interrupted()) {
          notStarted.push(plan.host);
          continue;
        }
        stats[plan.host] = await rolloutHost(prepared, plan, runId, opts, listener, interrupted);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.forks ?? DEFAULT_FORKS, batch.length)) }, worker));
    const failed = batch.filter((h) => stats[h.host] && (stats[h.host]!.failed || stats[h.host]!.unreachable)).length;
    if (batchAborts(failed, batch.length, maxFail)) aborted = index < batches.length - 1;
  }
  return { runId, stats, notStarted, aborted, exitCode: exitCodeOf(stats, interrupted()) };
}

async function rolloutHost(
  prepared: PreparedRun,
  prepared0: PreparedHost,
  runId: string,
  opts: RunOptions,
  listener: Listener,
  interrupted: () => boolean,
): Promise<HostStats> {
  const host = prepared0.host;
  let plan = prepared0;
  const stats = emptyStats();
  const step = (task: string, result: Pick<TaskResult, 'status'> & Partial<TaskResult>) =>
    reportResult(stats, listener, { host, role: 'rollout', task, handler: false, changes: [], ...result });
  const controller = async (task: string, command: string) => {
    listener({ type: 'task-start', host, role: 'rollout', task, handler: false });
    if (opts.check) return step(task, { status: 'skipped', reason: `check mode: would run ${command}` });
    const r = await runOnController(command);
    return r.code === 0
      ? step(task, { status: 'changed', changes: [command] })
      : step(task, { status: 'failed', error: `${command}: exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}` });
  };
  // kubelet reports its runtime in the node status it posts every few seconds: retried for a minute.
  const nodeRuntime = async (command: string) => {
    listener({ type: 'task-start', host, role: 'rollout', task: 'node runtime', handler: false });
    let last = '';
    for (let attempt = 0; attempt < 12; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 5000));
      const r = await runOnController(command, 60_000);
      last = r.code === 0 ? r.stdout.trim() : `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`;
      if (r.code === 0 && last.startsWith('containerd://')) return step('node runtime', { status: 'ok', reason: `the node reports ${last}` });
    }
    return step('node runtime', { status: 'failed', error: `${command}: the node reports ${last || 'nothing'}, not containerd://<version>` });
  };
  const end = (roundTrips?: number) => {
    listener({ type: 'host-end', host, stats, ...(roundTrips === undefined ? {} : { roundTrips }) });
    return stats;
  };

  listener({ type: 'host-start', host });
  const drain = ansibleBoolean(plan.vars.provision_drain);

  const roundTrips = await inHostSession(host, plan.vars, { connect: opts.connect, listener }, stats, async (transport) => {
    // The layout is detected and every check made before the host is drained or touched.
    // A host that passes is not reported (its tasks are); one that fails is, with what was found.
    const verifying = (h: PreparedHost) => (ansibleBoolean(h.vars.provision_verify) && !opts.check ? verificationFor(h) : undefined);
    // The verification's facts ride on the first gather and on each batch's: a run that changes nothing
    // (or whose last batch gathered them) is verified without a round trip of its own.
    const preflight = await preflightHost(prepared, plan, transport, {
      planTasks: !opts.check,
      diff: !!opts.diff,
      verifyContent: !!opts.verifyContent,
      alsoGather: (h) => verifying(h)?.readOnlyFacts ?? [],
    });
    plan = preflight.plan;
    if (preflight.problems.length) {
      const { docker, kubelet, criDockerd } = preflight.layout;
      listener({ type: 'task-start', host, role: 'rollout', task: 'preflight', handler: false });
      step('preflight', {
        status: 'failed',
        error: `found docker ${docker}, kubelet ${kubelet}${criDockerd ? ', cri-dockerd' : ''}; nothing was changed:\n${preflight.problems.join('\n')}`,
      });
      return;
    }
    // What the operator should know about the node (carried Docker settings, workloads), in the report and after the recap.
    if (preflight.notes.length) {
      listener({ type: 'task-start', host, role: 'rollout', task: 'notes', handler: false });
      step('notes', { status: 'ok', reason: preflight.notes.join('\n') });
    }
    // A failed drain fails the host before anything touches it.
    if (drain && !(await controller('drain node', String(plan.vars.provision_drain_command)))) return;
    const verification = verifying(plan);
    const cache = preflight.cache.fork();
    const changedBefore = stats.changed;
    await runHost(plan, transport, {
      check: !!opts.check,
      diff: !!opts.diff,
      verifyContent: !!opts.verifyContent,
      runId,
      backupRoot: opts.backupRoot ?? BACKUP_ROOT,
      interrupted,
      listener,
      cache,
      timeLimitS: opts.taskTimeoutS ?? numberOrUndefined(plan.vars.provision_task_timeout),
      stats,
      ...(verification ? { afterFacts: { readOnly: verification.readOnlyFacts, all: verification.facts } } : {}),
    });
    if (stats.failed || interrupted()) return;
    if (verification) {
      listener({ type: 'task-start', host, role: 'rollout', task: 'verify node', handler: false });
      const v = await verifyHost(verification, cache, transport, stats.changed > changedBefore);
      const ok = v.ok;
      step('verify node', ok ? { status: 'ok', reason: v.reason } : { status: 'failed', error: v.error });
      // A host that fails verification stays cordoned.
      if (!ok) return;
    }
    if (drain && ansibleBoolean(plan.vars.provision_verify_pull) && !opts.check && !(await nodeRuntime(String(plan.vars.provision_node_runtime_command))))
      return;
    const annotate = String(plan.vars.provision_cri_socket_annotate_command ?? '').trim();
    if (drain && annotate && !(await controller('annotate node', annotate))) return;
    if (drain) await controller('uncordon node', String(plan.vars.provision_uncordon_command));
  });
  return end(roundTrips);
}

const numberOrUndefined = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));

export function exitCodeOf(stats: Record<string, HostStats>, interrupted: boolean): number {
  const all = Object.values(stats);
  if (interrupted) return ExitCode.interrupted;
  if (all.some((s) => s.unreachable)) return ExitCode.unreachable;
  if (all.some((s) => s.failed)) return ExitCode.hostFailed;
  return ExitCode.ok;
}
