import { CHECK_TYPES } from '../checks/check-list.js';
import type { Vars } from '../core/vars.js';
import {
  VariableProblems,
  checkVariables,
  cloneValue,
  coerceVariables,
  hasTemplate,
  renderVariables,
  typoWarnings,
  valueInputs,
} from '../roles/resolve-vars.js';
import type { RoleCatalog } from '../roles/role.js';
import { ROLES_VARIABLE } from '../roles/select-roles.js';
import type { TemplateRenderer } from '../template/renderer.js';
import { inputKey } from '../template/template-inputs.js';
import { tasksInputs } from './expand-tasks.js';
import { deepFreeze } from '../core/frozen-memo.js';
import type { PreparedHost, PreparedRole } from './model.js';

/**
 * Plans shared between hosts. A fleet's hosts mostly differ only in names the roles' tasks never
 * read (`inventory_hostname`, `ansible_host`), so their tasks, arguments and rendered files are the
 * same: each distinct plan is made once, and every other host of its class gets it with its own
 * variables. The class of a host is the values of the names a plan's shared part can read (every
 * declared variable, every name a task of any role reads, `provision_roles`), as the template memo
 * keys a render by the names the template reads.
 *
 * A declared variable built from a name outside the class (`provision_node_name` from
 * `inventory_hostname`, the drain command from it) is the host's own: rendered, type-checked and
 * domain-checked for each host, as the full path does. A class whose tasks read such a variable,
 * or whose reads cannot be known, is not shared: each of its hosts is planned in full.
 */
export class PlanClasses {
  // null: the class's first host was planned, and its plan is not to be shared.
  private readonly classes = new Map<string, PlanClass | null>();
  /** What the tasks, handlers and checks of every role may read; undefined when not known. */
  private readonly taskReads: ReadonlySet<string> | undefined;

  constructor(
    private readonly catalog: RoleCatalog,
    private readonly engine: TemplateRenderer,
  ) {
    const lists = catalog.roles.flatMap((role) => [
      tasksInputs(role.tasks, engine),
      tasksInputs(role.handlers, engine),
      tasksInputs(role.verify, engine, CHECK_TYPES),
    ]);
    this.taskReads = lists.every((inputs) => inputs !== undefined) ? new Set(lists.flatMap((inputs) => [...inputs!])) : undefined;
  }

  /**
   * The class of a host's plan, or undefined when its plan is not to be shared: an undeclared
   * variable that is a template (rendered when a declared one reads it) makes the host plan alone.
   * `literal` names the values read from the node, which are never rendered.
   */
  keyOf(inventoryVars: Vars, literal: ReadonlySet<string>): string | undefined {
    if (this.taskReads === undefined) return undefined;
    const names: string[] = [];
    for (const n of Object.keys(inventoryVars)) {
      if (this.inClass(n)) names.push(n);
      else if (hasTemplate(inventoryVars[n])) return undefined;
    }
    names.sort();
    const values = inputKey(inventoryVars, names);
    return values === undefined ? undefined : `${JSON.stringify([names, [...literal].sort()])}${values}`;
  }

  /** The shared plan of a class; else whether its first host is still to define it ('none yet') or it is 'not shared'. */
  get(key: string): PlanClass | 'none yet' | 'not shared' {
    const found = this.classes.get(key);
    return found === undefined ? 'none yet' : found === null ? 'not shared' : found;
  }

  /**
   * Makes a class from the plan of its first host, planned in full. `rendered` is that host's
   * variables after rendering and before type checks, which the other hosts' own variables are
   * rendered with, as they would be in full.
   */
  define(key: string, inventoryVars: Vars, literal: ReadonlySet<string>, plan: PreparedHost, rendered: Vars): void {
    const own = this.ownVariables(inventoryVars, literal);
    const shared = own !== undefined && ![...own].some((n) => this.taskReads!.has(n));
    this.classes.set(key, shared ? new PlanClass(this.catalog, this.engine, own, literal, inventoryVars, plan, rendered) : null);
  }

  private inClass(name: string): boolean {
    return Object.hasOwn(this.catalog.variables, name) || this.taskReads!.has(name) || name === ROLES_VARIABLE;
  }

  /**
   * The declared variables whose value a template builds, directly or through others, from a name
   * outside the class: each host renders these itself. Undefined when a template's reads are unknown.
   */
  private ownVariables(inventoryVars: Vars, literal: ReadonlySet<string>): Set<string> | undefined {
    const reads = new Map<string, string[]>();
    for (const spec of Object.values(this.catalog.variables)) {
      if (literal.has(spec.name)) continue;
      const names = valueInputs(Object.hasOwn(inventoryVars, spec.name) ? inventoryVars[spec.name] : spec.default, this.engine);
      if (names === undefined) return undefined;
      if (names.length) reads.set(spec.name, names);
    }
    const own = new Set<string>();
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, names] of reads) {
        if (!own.has(name) && names.some((n) => own.has(n) || !this.inClass(n))) {
          own.add(name);
          grew = true;
        }
      }
    }
    return own;
  }
}

/** One class's plan, and how a host of the class makes its own of it. */
class PlanClass {
  private readonly own: string[];
  /** Declared variables as the first host had them after rendering (the others' own ones are theirs). */
  private readonly rendered: Vars = {};
  /** Declared variables of the class, type-checked. */
  private readonly resolved: Vars = {};
  /** The own variables' values before rendering: a default or what the class's inventory sets. */
  private readonly unrendered: Vars = {};
  private readonly roles: PreparedRole[];
  /** Names the host's own rendering must not render again. */
  private readonly final: ReadonlySet<string>;

  constructor(
    private readonly catalog: RoleCatalog,
    private readonly engine: TemplateRenderer,
    own: Set<string>,
    literal: ReadonlySet<string>,
    inventoryVars: Vars,
    plan: PreparedHost,
    rendered: Vars,
  ) {
    this.own = [...own];
    // Rendered already (a value may hold "{{" a node put there, which stays data), or read from the node.
    this.final = new Set([...literal, ...Object.keys(catalog.variables).filter((n) => !own.has(n))]);
    for (const name of Object.keys(catalog.variables)) {
      this.rendered[name] = deepFreeze(rendered[name]);
      this.resolved[name] = deepFreeze(plan.vars[name]);
    }
    for (const name of this.own) {
      this.unrendered[name] = deepFreeze(Object.hasOwn(inventoryVars, name) ? inventoryVars[name] : catalog.variables[name]!.default);
    }
    // Every host of the class runs these very objects (a host's own variables are its PreparedHost's): frozen,
    // so that no step can change one host's plan by mistake for the others.
    for (const role of plan.roles) {
      for (const list of [role.tasks, role.handlers, role.checks]) {
        for (const t of list) {
          deepFreeze(t.args);
          deepFreeze(t.ifExists);
          deepFreeze(t.item);
          Object.freeze(t);
        }
        Object.freeze(list);
      }
      deepFreeze(role.skipped);
      Object.freeze(role.preflight);
      Object.freeze(role);
    }
    this.roles = Object.freeze(plan.roles) as PreparedRole[];
  }

  /** Per list of undeclared names (joined): the class's variables with those names added (undefined), as V8's fast object. */
  private readonly shapes = new Map<string, Vars>();

  /**
   * A host's variables to fill in: the class's declared ones, and its undeclared names last, as a copy of
   * them made key by key would have them. Made by spreading one object per shape, so that every host of the
   * class shares V8's hidden class: a copy made key by key is a dictionary of its own (about 6 KiB for the
   * roles' 113 variables, 60 MiB at 10,000 hosts), a spread of a fast object about 1 KiB.
   */
  private varsShapedFor(undeclared: string[]): Vars {
    const key = undeclared.join('\0');
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      if (this.shapes.size >= MAX_SHAPES) return copy(this.resolved);
      const keyed = copy(this.resolved);
      for (const name of undeclared) keyed[name] = undefined;
      shape = { ...keyed };
      this.shapes.set(key, shape);
    }
    return { ...shape };
  }

  /** The class's plan for one of its hosts, with the host's own variables resolved and every variable checked. */
  preparedFor(host: string, inventoryVars: Vars, warnings?: Set<string>): PreparedHost {
    if (warnings) for (const w of typoWarnings(this.catalog, inventoryVars)) warnings.add(w);
    const undeclared = Object.keys(inventoryVars).filter((n) => !Object.hasOwn(this.catalog.variables, n));
    const context = copy(this.rendered);
    for (const name of this.own) context[name] = cloneValue(this.unrendered[name]);
    for (const name of undeclared) context[name] = inventoryVars[name];
    const problems = new VariableProblems(this.catalog, host, inventoryVars);
    renderVariables(this.own, context, this.engine, host, problems, this.final);

    const vars = this.varsShapedFor(undeclared);
    for (const name of this.own) vars[name] = context[name];
    for (const name of undeclared) vars[name] = inventoryVars[name];
    if (problems.none()) coerceVariables(this.catalog, this.own, vars, problems);
    if (problems.none()) checkVariables(this.catalog, vars, problems, warnings);
    problems.throwIfAny();
    return {
      host,
      vars,
      roles: this.roles,
    };
  }
}

/** Distinct sets of undeclared names a class keeps a shape for; past it a host's variables are copied key by key. */
const MAX_SHAPES = 16;

/**
 * A shallow copy made key by key: a spread of an object built key by key (a dictionary to V8)
 * costs several times more, and so would adding the host's own keys to a spread of a fast one.
 */
function copy(vars: Vars): Vars {
  const out: Vars = {};
  for (const key of Object.keys(vars)) out[key] = vars[key];
  return out;
}
