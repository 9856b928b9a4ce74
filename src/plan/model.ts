import type { ConnectionSpec } from '../inventory/connection.js';
import type { Vars } from '../core/vars.js';
import type { Inventory } from '../inventory/inventory.js';
import type { RoleCatalog } from '../roles/role.js';
import type { Transport } from '../transport/transport.js';
import type { SkippedTask, TaskInstance } from './expand-tasks.js';

/**
 * The engine's shared types, in one module below the three phases: what planning makes (a prepared
 * run of prepared hosts, each of prepared roles), which apply and rollout read, and how the rollout
 * reaches a host. No phase imports another's types from the module that builds them.
 */

export interface PreparedRole {
  role: string;
  tasks: TaskInstance[];
  handlers: TaskInstance[];
  skipped: SkippedTask[];
  /** The preflight kinds the role declares (role.yaml `preflight:`): which preflight checks apply to its host. */
  preflight: string[];
  /** The role's `verify:` checks, for the rollout's verification. */
  checks: TaskInstance[];
}

export interface PreparedHost {
  host: string;
  vars: Vars;
  roles: PreparedRole[];
}

export interface PreparedRun {
  /** Ansible variables provision ignores (see ansible-variables.ts), and variable names one typo from a declared one. */
  warnings: string[];
  inventory: Inventory;
  catalog: RoleCatalog;
  hosts: PreparedHost[];
  /** The host planned again with variables detected on the node (its layout), before anything is applied. */
  replan(host: string, detected: Vars): PreparedHost;
}

/** Opens a host's one transport; the CLI builds it from its flags (SSH, local, jump hosts). */
export type TransportFactory = (host: string, spec: ConnectionSpec) => Promise<Transport>;
