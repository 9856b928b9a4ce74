import { randomBytes } from 'node:crypto';
import { ProvisionError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type HostStats, type Listener, emptyStats } from '../core/events.js';
import { connectionOf, type ConnectionSpec } from '../inventory/connection.js';
import type { Transport } from '../transport/transport.js';
import type { PreparedRun } from './prepare.js';
import { runHost } from './run-host.js';

export const DEFAULT_BACKUP_ROOT = '/var/backups/provision';

export type TransportFactory = (host: string, spec: ConnectionSpec) => Promise<Transport>;

export interface RunOptions {
  check?: boolean;
  diff?: boolean;
  forks?: number;
  runId?: string;
  /** Default /var/backups/provision. */
  backupRoot?: string;
  connect: TransportFactory;
  listener?: Listener;
  interrupted?: () => boolean;
}

export interface RunSummary {
  runId: string;
  stats: Record<string, HostStats>;
  /** Hosts never started (interrupted before their turn). */
  notStarted: string[];
  exitCode: number;
}

/** A sortable, unique id for the run; it also names the run's backup directory on each node. */
export function newRunId(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z') + '-' + randomBytes(3).toString('hex');
}

/** Applies the prepared plan to every host, `forks` at a time; a host's failure is a result. */
export async function runPlan(prepared: PreparedRun, opts: RunOptions): Promise<RunSummary> {
  const runId = opts.runId ?? newRunId();
  const listener = opts.listener ?? (() => {});
  const interrupted = opts.interrupted ?? (() => false);
  const stats: Record<string, HostStats> = {};
  const notStarted: string[] = [];
  const queue = [...prepared.hosts];

  const worker = async () => {
    for (let plan = queue.shift(); plan; plan = queue.shift()) {
      if (interrupted()) {
        notStarted.push(plan.host);
        continue;
      }
      listener({ type: 'host-start', host: plan.host });
      let transport: Transport | undefined;
      try {
        transport = await opts.connect(plan.host, connectionOf(plan.host, plan.vars));
      } catch (e) {
        stats[plan.host] = { ...emptyStats(), unreachable: 1 };
        listener({ type: 'host-unreachable', host: plan.host, error: (e as Error).message });
        listener({ type: 'host-end', host: plan.host, stats: stats[plan.host]! });
        continue;
      }
      try {
        stats[plan.host] = await runHost(plan, transport, { check: !!opts.check, diff: !!opts.diff, runId, backupRoot: opts.backupRoot ?? DEFAULT_BACKUP_ROOT, interrupted, listener });
      } catch (e) {
        // Only a lost connection gets here: the host is unreachable, not the run broken.
        if (!(e instanceof ProvisionError)) throw e;
        stats[plan.host] = { ...emptyStats(), unreachable: 1 };
        listener({ type: 'host-unreachable', host: plan.host, error: e.message });
      } finally {
        await transport.close();
      }
      listener({ type: 'host-end', host: plan.host, stats: stats[plan.host]!, roundTrips: transport.runs });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.forks ?? 20, queue.length)) }, worker));
  return { runId, stats, notStarted, exitCode: exitCodeOf(stats, interrupted()) };
}

export function exitCodeOf(stats: Record<string, HostStats>, interrupted: boolean): number {
  const all = Object.values(stats);
  if (interrupted) return ExitCode.interrupted;
  if (all.some((s) => s.unreachable)) return ExitCode.unreachable;
  if (all.some((s) => s.failed)) return ExitCode.hostFailed;
  return ExitCode.ok;
}
