import { DEFAULT_FORKS } from '../core/constants.js';
import { newRunId } from '../core/run-id.js';
import { ExitCode } from '../core/exit-codes.js';
import { UsageError } from '../core/errors.js';
import { type HostStats, type Listener, emptyStats } from '../core/events.js';
import { ansibleBoolean } from '../core/ansible-boolean.js';
import type { Vars } from '../inventory/inventory.js';
import { type Serial, wavesOf, windowWidth } from './waves.js';
import type { PreparedHost, PreparedRun } from '../plan/model.js';
import type { ApplyRunOptions } from './apply-run-options.js';
import { takingTurns } from './taking-turns.js';
import { inHostSession } from './host-session.js';
import { HOST_STEPS, type HostRollout } from './host-steps.js';
import { type FailureBudget, budgetExceeded, budgetValue } from './budget.js';
import { STRATEGIES, type Strategy, runSchedule } from './scheduler.js';
import { type Gate, checkGate, parseGates } from './gates.js';
import { pauseAt } from './pause.js';
export type { ApplyRunOptions };

export interface RunSummary {
  runId: string;
  stats: Record<string, HostStats>;
  /** Hosts never started (interrupted, or after what stopped the rollout). */
  notStarted: string[];
  /** Hosts left undrained (with provision_drain) because nothing on them changes. */
  notDrained: string[];
  strategy: Strategy;
  /** The failure budget the run kept (over the whole run). */
  budget: FailureBudget;
  /** What stopped the rollout before every host started: the failure budget, a gate, a pause. */
  stopped?: string;
  /** The rollout was stopped (not interrupted) before every host started. */
  aborted: boolean;
  exitCode: number;
}

/**
 * Applies the prepared plan host by host, in waves or a sliding window (`provision_strategy`), at most
 * `forks` hosts at a time. Each host goes through HOST_STEPS. A host's failure is a result; once the
 * failure budget of the whole run is spent, nothing new starts, hosts in flight finish, and the hosts
 * never started are listed with the reason.
 */
export async function applyRun(prepared: PreparedRun, opts: ApplyRunOptions): Promise<RunSummary> {
  const runId = opts.runId ?? newRunId();
  const listener = opts.listener ?? (() => {});
  const interrupted = opts.interrupted ?? (() => false);
  const stats: Record<string, HostStats> = {};
  const notDrained: string[] = [];
  const first = prepared.hosts[0]?.vars ?? {};
  const serial = opts.serial ?? (first.provision_serial as Serial | undefined);
  const strategy = strategyOf(opts.strategy ?? first.provision_strategy);
  const forks = opts.forks ?? DEFAULT_FORKS;
  const budget = budgetOf(prepared.hosts.length, first, opts);
  const failedOf = (hosts: PreparedHost[]) => hosts.filter((h) => stats[h.host] && (stats[h.host]!.failed || stats[h.host]!.unreachable)).length;
  // Counted as hosts end: the budget is asked before every start, and counting the run's hosts each time made
  // starting n hosts cost n^2 (seconds at 10,000 hosts).
  let failedSoFar = 0;
  const gates = parseGates(first.provision_gates);
  const waves = wavesOf(prepared.hosts, strategy === 'window' ? undefined : serial);
  const width = strategy === 'window' ? Math.min(forks, windowWidth(prepared.hosts.length, serial)) : forks;

  if (strategy === 'window') listener({ type: 'window-start', width, of: prepared.hosts.length });
  const scheduled = await runSchedule<PreparedHost>({
    strategy,
    waves,
    width,
    run: async (plan) => {
      const r = await rolloutHost(prepared, plan, runId, opts, listener, interrupted);
      stats[plan.host] = r.stats;
      if (r.stats.failed || r.stats.unreachable) failedSoFar++;
      if (r.notDrained) notDrained.push(plan.host);
    },
    halt: () => (interrupted() ? 'interrupted' : budgetExceeded(budget, failedSoFar)),
    after: async (hosts, index) => {
      // Without a budget, Ansible's rule stays: a wave in which every host failed ends the rollout.
      const unbudgeted = budget.maxFail === undefined && budget.maxFailPercentage === undefined;
      const more = strategy === 'window' ? index < prepared.hosts.length : index < waves.length;
      if (strategy === 'waves' && unbudgeted && hosts.length && failedOf(hosts) === hosts.length && more) {
        return `every host of wave ${index} failed`;
      }
      const gateStop = await checkGates(gates, hosts, strategy === 'window' ? `host ${hosts[0]!.host}` : `wave ${index}`, listener);
      if (gateStop || !more || interrupted()) return gateStop;
      return pauseAt(index, strategy, opts, first, listener, stats);
    },
    waveStart: (index, of, hosts) => {
      if (of > 1) listener({ type: 'wave-start', index, of, hosts: hosts.map((h) => h.host) });
    },
  });
  const notStarted = scheduled.notStarted.map((n) => n.item.host);
  const stopped = scheduled.stopped ?? scheduled.notStarted.find((n) => n.reason !== 'interrupted')?.reason;
  return {
    runId,
    stats,
    notStarted,
    notDrained,
    strategy,
    budget,
    ...(stopped ? { stopped } : {}),
    aborted: !!stopped,
    exitCode: stoppedCode(exitCodeOf(stats, interrupted()), stopped),
  };
}

/** Each gate in turn after a wave (window: after a host); the first that fails stops the rollout. */
async function checkGates(gates: Gate[], hosts: PreparedHost[], after: string, listener: Listener): Promise<string | undefined> {
  const nodes = hosts.map((h) => ({ host: h.host, podsCommand: String(h.vars.provision_pods_command ?? '') }));
  for (const gate of gates) {
    const outcome = await checkGate(gate, nodes);
    listener({ type: 'gate', ...outcome, after: hosts.map((h) => h.host) });
    if (!outcome.passed) return `gate ${gate.name} failed after ${after} (waited ${Math.round(outcome.waitedMs / 1000)} s): ${outcome.answer}`;
  }
  return undefined;
}

/** The failure budget over the run: flags first, then the first host's variables. */
const budgetOf = (selected: number, vars: Vars, opts: ApplyRunOptions): FailureBudget => ({
  selected,
  maxFailPercentage: opts.maxFailPercentage ?? budgetValue(vars.provision_max_fail_percentage, 'provision_max_fail_percentage', 100),
  maxFail: opts.maxFail ?? budgetValue(vars.provision_max_fail, 'provision_max_fail'),
});

function strategyOf(value: unknown): Strategy {
  const text = value === undefined || value === null || value === '' ? 'waves' : String(value);
  if (!(STRATEGIES as readonly string[]).includes(text)) {
    throw new UsageError(`provision_strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return text as Strategy;
}

/** One host through HOST_STEPS, inside its session (the per-host error boundary: a lost connection makes it unreachable). */
async function rolloutHost(
  prepared: PreparedRun,
  plan: PreparedHost,
  runId: string,
  opts: ApplyRunOptions,
  listener: Listener,
  interrupted: () => boolean,
): Promise<{ stats: HostStats; notDrained?: string }> {
  const host = plan.host;
  const stats = emptyStats();
  let state: HostRollout | undefined;
  listener({ type: 'host-start', host });
  const roundTrips = await inHostSession(host, plan.vars, { connect: takingTurns(opts.connect), listener }, stats, async (transport) => {
    const drain = ansibleBoolean(plan.vars.provision_drain);
    const h: HostRollout = { prepared, host, runId, opts, listener, interrupted, stats, transport, plan, drain, changes: true, cordoned: false };
    h.cordoned = drain && !!opts.resumeDrained?.has(host);
    state = h;
    for (const step of HOST_STEPS) if (!(await step.run(h))) return;
  });
  const ended = stats.failed || stats.unreachable ? 'failed' : interrupted() ? undefined : 'done';
  if (ended && !opts.check) listener({ type: 'host-state', host, state: ended });
  listener({ type: 'host-end', host, stats, ...(roundTrips === undefined ? {} : { roundTrips }) });
  return { stats, ...(state?.notDrained ? { notDrained: state.notDrained } : {}) };
}

/** A run stopped before every host started is not a success, even when every host it ran passed. */
const stoppedCode = (code: number, stopped: string | undefined) => (code === ExitCode.ok && stopped ? ExitCode.stopped : code);

export function exitCodeOf(stats: Record<string, HostStats>, interrupted: boolean): number {
  const all = Object.values(stats);
  if (interrupted) return ExitCode.interrupted;
  if (all.some((s) => s.unreachable)) return ExitCode.unreachable;
  if (all.some((s) => s.failed)) return ExitCode.hostFailed;
  return ExitCode.ok;
}
