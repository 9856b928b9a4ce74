import { drainDryRun } from './drain-check.js';
import { ansibleBoolean } from '../core/ansible-boolean.js';
import { ErrorList, ValidationError } from '../core/errors.js';
import type { RunEvent } from '../core/events.js';
import { detectKubeletLayout, layoutOf, layoutVars, runtimeVars } from '../domain/node-layouts.js';
import { type NodeFacts, nodeFactsFact } from '../domain/node-layouts-probe.js';
import { podsMountingDockerSocket, preflightProblems } from '../domain/preflight-checks.js';
import { dockerCarry, dockerCarryFact } from '../domain/docker-carry.js';
import { existingConfigFact, existingConfigVerdict } from '../domain/containerd-existing.js';
import type { ContainerdConfigFile } from '../facts/containerd-config-file.js';
import type { DockerSettingsFacts } from '../facts/docker-daemon-files.js';
import type { Fact } from '../facts/fact.js';
import { logCollectorsIn, logFormatNote } from '../domain/workload-notes.js';
import { k8sImagesFact, NO_SANDBOX_CHANGE, sandboxImagePreflight, unlessSetByInventory } from '../domain/sandbox-image-preflight.js';
import type { Vars } from '../inventory/inventory.js';
import type { Transport } from '../transport/transport.js';
import { runOnController } from './controller-command.js';
import { messageOf, rowPerHost } from './host-session.js';
import { FactCache } from '../apply/fact-cache.js';
import type { PreparedHost, PreparedRun } from '../plan/model.js';
import { planFacts, runHost } from '../apply/run-host.js';
import type { TransportFactory } from '../plan/model.js';

export interface HostPreflight {
  /** The host planned on its detected layout. */
  plan: PreparedHost;
  facts: NodeFacts;
  layout: { docker: string; kubelet: string; criDockerd: boolean; found: string };
  /** Each a sentence naming what was found and how to proceed; empty: the host may be touched. */
  problems: string[];
  /** What the operator should know about the node (carried settings, conflicts, workloads); never refuses it. */
  notes: string[];
  /** The facts gathered for the plan, unpredicted: the real run starts from a fork of them. */
  cache: FactCache;
  /** Tasks the check-mode plan would change (undefined when tasks were not planned): 0 means the node is converged. */
  changes?: number;
}

/**
 * Read-only: one gather of the node's layout facts, the host planned again on them, the
 * domain checks, then every task planned in check mode on predicted facts (a task that could not
 * be planned, e.g. a file where a directory must go, refuses the host), and with kubectl on the
 * controller (provision_drain) the pods that mount Docker's socket.
 * long-function: kept whole, a little over 60 lines: it is the preflight's order, read top to bottom, and
 * several helpers add their checks to it; each step's logic lives in the domain and in the helpers below.
 */
export async function preflightHost(
  prepared: PreparedRun,
  host: PreparedHost,
  transport: Transport,
  opts: { planTasks: boolean; diff: boolean; verifyContent?: boolean; afterFacts?: (host: PreparedHost) => Fact<unknown>[] },
): Promise<HostPreflight> {
  const ctx = { check: true, diff: opts.diff, backupDir: '/nonexistent', verifyContent: opts.verifyContent };
  const fact = nodeFactsFact(host.vars);
  // One gather: the layout and what the undetected plan needs (most of what the detected one needs).
  const dockerFact = dockerCarryFact(host.vars);
  const cache = new FactCache(transport);
  const existingFact = existingConfigFact(host.vars);
  const images = k8sImagesFact(host.vars);
  const values = await cache.need([fact, dockerFact, existingFact, ...(images ? [images] : [])], () => [
    ...planFacts(host, ctx),
    ...(opts.afterFacts?.(host) ?? []),
  ]);
  const facts = values.get(fact.key) as NodeFacts;
  // Docker's settings are read here, in the first gather, while /etc/docker still exists.
  const carry = dockerCarry(values.get(dockerFact.key) as DockerSettingsFacts, host.vars, declaredPreflight(host));
  const detected = { ...layoutVars(facts), ...carry.vars };
  const layoutFor = (vars: Vars) => ({
    ...layoutOf(vars),
    criDockerd: facts.criDockerd.units.length + facts.criDockerd.binaries.length > 0,
    found: detectKubeletLayout(facts).found,
  });
  let plan: PreparedHost;
  let sandbox = NO_SANDBOX_CHANGE;
  try {
    plan = prepared.replan(host.host, detected);
    // Some detections depend on the layout the host settled on (detected or forced).
    const more = runtimeVars(facts.runcs, plan.vars, declaredPreflight(plan));
    if (Object.keys(more).length) plan = prepared.replan(host.host, { ...detected, ...more });
    // The sandbox image every pod needs: on the node, pullable, or handed over from Docker (else refused).
    sandbox = await sandboxImagePreflight(
      plan.vars,
      values,
      values.get(dockerFact.key) as DockerSettingsFacts,
      (f) => cache.need(f, () => []),
      declaredPreflight(plan),
    );
    if (Object.keys(sandbox.vars).length) plan = prepared.replan(host.host, { ...detected, ...more, ...sandbox.vars });
    sandbox = unlessSetByInventory(sandbox, plan.vars);
  } catch (e) {
    // What the node holds makes a variable invalid (a carried value a check refuses): the host is
    // refused before anything on it is touched, as for any preflight problem, not called unreachable.
    if (!(e instanceof ValidationError || e instanceof ErrorList)) throw e;
    const messages = e instanceof ErrorList ? e.errors.map((x) => x.message) : [e.message];
    return { plan: host, facts, layout: layoutFor({ ...host.vars, ...detected }), problems: [...carry.problems, ...messages], notes: carry.notes, cache };
  }
  await cache.need(planFacts(plan, ctx), () => []);
  const layout = layoutFor(plan.vars);
  // What another tool configured in containerd's config.toml, which the written config would drop.
  const existing = existingConfigVerdict(values.get(existingFact.key) as ContainerdConfigFile | undefined, plan.vars, declaredPreflight(plan));
  const problems = [...carry.problems, ...existing.problems, ...sandbox.problems, ...preflightProblems(facts, plan.vars, declaredPreflight(plan))];
  const notes = [...carry.notes, ...existing.notes, ...sandbox.notes];
  let changes: number | undefined;
  if (problems.length === 0 && opts.planTasks) {
    const failed: string[] = [];
    changes = 0;
    const listener = (e: RunEvent) => {
      if (e.type === 'task-result' && e.status === 'failed') failed.push(`${e.role} / ${e.task}: ${e.error}`);
      if (e.type === 'task-result' && e.status === 'changed') changes = (changes ?? 0) + 1;
    };
    await runHost(plan, transport, {
      check: true,
      diff: opts.diff,
      verifyContent: opts.verifyContent,
      runId: 'preflight',
      backupRoot: '/nonexistent',
      interrupted: () => false,
      listener,
      cache: cache.fork(),
    });
    problems.push(...failed.map((f) => `a task cannot be planned on this node: ${f}. Fix the node (or the inventory) and run again`));
  }
  if (ansibleBoolean(plan.vars.provision_drain)) {
    const allowed = ansibleBoolean(plan.vars.provision_allow_docker_socket_pods);
    const pods = await dockerSocketPods(plan.vars, allowed);
    (allowed ? notes : problems).push(...pods);
    notes.push(...(await logCollectorNotes(plan.vars)));
  }
  return { plan, facts, layout, problems, notes, cache, changes };
}

/** The preflight kinds a host's roles declare (role.yaml `preflight:`): they select the checks; no role is named here. */
const declaredPreflight = (plan: PreparedHost): ReadonlySet<string> => new Set(plan.roles.flatMap((r) => r.preflight));

async function dockerSocketPods(vars: Vars, allowed: boolean): Promise<string[]> {
  const command = String(vars.provision_pods_command);
  const r = await runOnController(command, 120_000);
  if (r.code !== 0)
    return [
      `could not list the node's pods (${command}: exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')})${allowed ? '' : '; set provision_allow_docker_socket_pods: true to go on without this check'}`,
    ];
  let pods: string[];
  try {
    pods = podsMountingDockerSocket(JSON.parse(r.stdout));
  } catch (e) {
    return [`${command} did not print a pod list as JSON: ${(e as Error).message}`];
  }
  if (pods.length === 0) return [];
  return allowed
    ? [`pods on this node mount Docker's socket by hostPath and break without Docker: ${pods.join(', ')}`]
    : [
        `pods on this node mount Docker's socket by hostPath and break without Docker: ${pods.join(', ')}. Move them off Docker's socket, or set provision_allow_docker_socket_pods: true to go on`,
      ];
}

/** Log collectors among the cluster's daemonsets: their parser must change with the log format. */
async function logCollectorNotes(vars: Vars): Promise<string[]> {
  const command = String(vars.provision_daemonsets_command ?? '').trim();
  if (!command) return [];
  const r = await runOnController(command, 120_000);
  if (r.code !== 0) return [`could not list the cluster's daemonsets for log collectors (${command}: exit ${r.code})`];
  try {
    const note = logFormatNote(logCollectorsIn(JSON.parse(r.stdout)));
    return note ? [note] : [];
  } catch (e) {
    return [`${command} did not print a daemonset list as JSON: ${(e as Error).message}`];
  }
}

export interface PreflightRow {
  host: string;
  docker: string;
  kubelet: string;
  criDockerd: boolean;
  /** "ok", "refused" or "unreachable". */
  result: 'ok' | 'refused' | 'unreachable';
  problems: string[];
  notes: string[];
}

/** `provision preflight`: every selected host checked, read-only, `forks` at a time. */
export function preflightFleet(prepared: PreparedRun, opts: { connect: TransportFactory; forks: number; disableEviction?: boolean }): Promise<PreflightRow[]> {
  return rowPerHost(
    prepared,
    opts,
    async (host, transport): Promise<PreflightRow> => {
      const p = await preflightHost(prepared, host, transport, { planTasks: true, diff: false });
      // As apply's preflight step: a host that would be drained must be drainable (nothing to change: no drain).
      const evictions = p.problems.length || p.changes === 0 ? undefined : await drainDryRun(p.plan.vars, opts.disableEviction);
      if (evictions) p.problems.push(`the node's pods cannot all be evicted: ${evictions}`);
      const { docker, kubelet, criDockerd } = p.layout;
      return { host: host.host, docker, kubelet, criDockerd, result: p.problems.length ? 'refused' : 'ok', problems: p.problems, notes: p.notes };
    },
    // A node's answer provision cannot read refuses that host only.
    (host, e, unreachable) => ({
      host: host.host,
      docker: '?',
      kubelet: '?',
      criDockerd: false,
      result: unreachable ? 'unreachable' : 'refused',
      problems: [messageOf(e)],
      notes: [],
    }),
  );
}
