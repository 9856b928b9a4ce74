import { ansibleBoolean } from '../core/ansible-boolean.js';
import type { Vars } from '../core/vars.js';
import { commandFailure, runOnController } from './controller-command.js';

/** --disable-eviction: the drain deletes pods instead of evicting them, past PodDisruptionBudgets (opt-in). */
export const withEvictionChoice = (command: string, disableEviction: boolean | undefined) =>
  disableEviction && command ? `${command} --disable-eviction` : command;

/**
 * A server-side dry run of the drain (provision_drain_check_command) for a host that will be
 * drained: a PodDisruptionBudget with no room refuses the host before anything is touched, instead
 * of leaving it cordoned and half drained at the drain's timeout. Returns why it cannot, if so.
 * Shared by the rollout's preflight step and `provision preflight`, so both refuse the same hosts.
 */
export async function drainDryRun(vars: Vars, disableEviction: boolean | undefined): Promise<string | undefined> {
  const command = withEvictionChoice(String(vars.provision_drain_check_command ?? '').trim(), disableEviction);
  if (!ansibleBoolean(vars.provision_drain) || !command) return undefined;
  const r = await runOnController(command, 300_000);
  return r.code === 0 ? undefined : commandFailure(command, r);
}
