import { CHECK_TYPES } from '../checks/check-list.js';
import { ErrorList, ProvisionError } from '../core/errors.js';
import { connectionOf } from '../inventory/connection.js';
import { defaultRolesDir, defaultTemplateDir } from '../core/paths.js';
import { checkAnsibleVariables } from '../inventory/ansible-variables.js';
import { selectHosts } from '../inventory/host-patterns.js';
import type { Vars } from '../core/vars.js';
import type { Inventory } from '../inventory/inventory.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { copyVars, setOrigin } from '../inventory/provenance.js';
import { loadRolesCached } from '../roles/role-cache.js';
import { resolveVariables } from '../roles/resolve-vars.js';
import type { Role, RoleCatalog } from '../roles/role.js';
import { findRole, rolesForHost } from '../roles/select-roles.js';
import { TemplateRenderer } from '../template/renderer.js';
import { expandTasks } from './expand-tasks.js';
import type { PreparedHost, PreparedRun } from './model.js';
import { PlanClasses } from './plan-classes.js';

export interface PrepareOptions {
  inventory: string | string[] | Inventory;
  limit?: string;
  roles?: string[];
  extraVars?: Vars;
  /** The lowest layer of host vars: `-u`, `-b`... which inventory variables override, as in Ansible. */
  connectionDefaults?: Vars;
  /** Roles left out (`--skip-tags`). */
  skipRoles?: string[];
  rolesDir?: string;
  templateDir?: string;
  /** Roles and renderer loaded once for many preparations (tests that prepare thousands of hosts one by one). */
  loaded?: { catalog: RoleCatalog; engine: TemplateRenderer };
}

/** Collects per-host input errors so every problem of every host is reported at once. */
function eachHost<T>(hosts: string[], fn: (host: string) => T): T[] {
  const problems: ProvisionError[] = [];
  const out: T[] = [];
  for (const host of hosts) {
    try {
      out.push(fn(host));
    } catch (e) {
      if (e instanceof ErrorList) problems.push(...e.errors);
      else if (e instanceof ProvisionError) problems.push(e.host ? e : withHost(e, host));
      else throw e;
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new ErrorList(problems);
  return out;
}

function load(opts: PrepareOptions) {
  const inventory = typeof opts.inventory === 'object' && !Array.isArray(opts.inventory) ? opts.inventory : loadInventory(opts.inventory);
  const catalog = opts.loaded?.catalog ?? loadRolesCached(opts.rolesDir ?? defaultRolesDir, opts.templateDir ?? defaultTemplateDir);
  const engine = opts.loaded?.engine ?? new TemplateRenderer(catalog.templateDir);
  const hostNames = opts.limit ? selectHosts(inventory, opts.limit) : [...inventory.hosts.keys()];
  return { inventory, catalog, engine, hostNames, classes: new PlanClasses(catalog, engine) };
}

/**
 * Everything that can be known without a connection: inventory, roles, variables, tasks and
 * rendered file contents for every selected host. Any input error on any host stops the run
 * here, before a single node is touched, and all of them are reported together.
 */
export function prepareRun(opts: PrepareOptions): PreparedRun {
  const { inventory, catalog, engine, hostNames, classes } = load(opts);
  const wanted = (opts.roles ?? []).map((n) => findRole(catalog, n));
  const skipped = (opts.skipRoles ?? []).map((n) => findRole(catalog, n));
  const warnings: string[] = [];
  const typos = new Set<string>();
  // A host's inventory variables (with what was detected on its node), and its PreparedHost.
  const prepareFromInventory = (host: string, detected: Vars = {}) => {
    const inventoryVars = copyVars(inventory.hostVars(host, { extra: opts.extraVars, defaults: opts.connectionDefaults }));
    // Detected facts fill a variable the inventory left out or set to "auto"; any other value forces it.
    // What is read from a node is data, never a template (Docker's log tag is `{{.Name}}`; and a
    // rendered one would let the node's files pull any controller-side variable into a file).
    const literal = new Set<string>();
    for (const [k, v] of Object.entries(detected)) {
      if (inventoryVars[k] === undefined || inventoryVars[k] === 'auto') {
        inventoryVars[k] = v;
        literal.add(k);
        setOrigin(inventoryVars, k, undefined);
      }
    }
    return {
      inventoryVars,
      plan: prepareHost(
        { catalog, engine, classes },
        host,
        inventoryVars,
        (vars) => rolesForHost(catalog, host, vars, wanted).filter((r) => !skipped.includes(r)),
        { typos, literal },
      ),
    };
  };
  const hosts = eachHost(hostNames, (host) => {
    const { inventoryVars, plan } = prepareFromInventory(host);
    warnings.push(...checkAnsibleVariables(host, inventoryVars));
    return plan;
  });
  warnings.push(...typos);
  return { warnings, inventory, catalog, hosts, replan: (host, detected) => eachHost([host], (h) => prepareFromInventory(h, detected).plan)[0]! };
}

/**
 * Every role of the catalog made concrete for the selected hosts, whatever roles they run: what
 * `restore` needs to know which task wrote a file, and so which handlers a restored file notifies.
 */
export function prepareAllRoles(opts: PrepareOptions): PreparedHost[] {
  const { inventory, catalog, engine, hostNames, classes } = load(opts);
  return eachHost(hostNames, (host) =>
    prepareHost(
      { catalog, engine, classes },
      host,
      inventory.hostVars(host, { extra: opts.extraVars, defaults: opts.connectionDefaults }),
      () => catalog.roles,
    ),
  );
}

/**
 * One host's plan. A host whose class (see plan-classes.ts) has a plan already takes it with its
 * own variables; else it is planned in full, and its plan becomes its class's.
 */
function prepareHost(
  { catalog, engine, classes }: { catalog: RoleCatalog; engine: TemplateRenderer; classes: PlanClasses },
  host: string,
  inventoryVars: Vars,
  roles: (vars: Vars) => Role[],
  { typos, literal = new Set() }: { typos?: Set<string>; literal?: ReadonlySet<string> } = {},
): PreparedHost {
  connectionOf(host, inventoryVars); // a bad ansible_port is bad input (exit 3), found before any host is touched
  const key = classes.keyOf(inventoryVars, literal);
  const shared = key === undefined ? 'not shared' : classes.get(key);
  if (typeof shared === 'object') return shared.preparedFor(host, inventoryVars, typos);
  const chosen = roles(inventoryVars);
  let rendered: Vars | undefined;
  const vars = resolveVariables(catalog, host, inventoryVars, engine, {
    warnings: typos,
    literal,
    rendered: (v) => {
      if (shared === 'none yet') rendered = { ...v };
    },
  });
  const plan = expandRoles(engine, host, vars, chosen);
  if (key !== undefined && shared === 'none yet') classes.define(key, inventoryVars, literal, plan, rendered!);
  return plan;
}

/** A host's roles expanded into tasks, handlers and checks: the PreparedHost of a host planned in full. */
function expandRoles(engine: TemplateRenderer, host: string, vars: Vars, chosen: Role[]): PreparedHost {
  return {
    host,
    vars,
    roles: chosen.map((role) => {
      const main = expandTasks(role, role.tasks, vars, engine, host);
      const handlers = expandTasks(role, role.handlers, vars, engine, host);
      const checks = expandTasks(role, role.verify, vars, engine, host, CHECK_TYPES);
      return {
        role: role.name,
        preflight: role.preflight,
        tasks: main.instances,
        handlers: handlers.instances,
        skipped: main.skipped,
        checks: checks.instances,
      };
    }),
  };
}

function withHost(e: ProvisionError, host: string): ProvisionError {
  Object.assign(e, { host });
  return e;
}
