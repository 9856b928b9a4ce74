import { parseAnsibleBoolean } from '../core/ansible-boolean.js';
import { ErrorList, ProvisionError, ValidationError } from '../core/errors.js';
import { holdsSecret, maskSecrets, registerDerived } from '../core/secrets.js';
import { parseVersion } from '../domain/versions.js';
import type { Vars } from '../inventory/inventory.js';
import { originOf } from '../inventory/provenance.js';
import type { TemplateRenderer } from '../template/renderer.js';
import type { RoleCatalog, VariableSpec } from './role.js';
import { VARIABLE_CHECKS } from './variable-checks.js';
import {
  dnsLabelProblem,
  editDistance,
  filenameProblem,
  pathProblem,
  portProblem,
  registryProblem,
  uncarriableProblem,
  versionProblem,
} from './value-types.js';

/**
 * A host's variables for rendering: declared defaults, overridden by the inventory (which already
 * ranks group, host and extra vars), with `{{ }}` in declared variables rendered (so a default can
 * be built from others, e.g. a download URL from download_base_url and a version), then every
 * declared variable type-checked and its domain check run. All problems are returned at once.
 * `rendered` sees the variables once rendered, before their types are checked. `literal` names
 * values read from a node: data, never rendered.
 */
export function resolveVariables(
  catalog: RoleCatalog,
  host: string,
  inventoryVars: Vars,
  engine: TemplateRenderer,
  opts: { warnings?: Set<string>; rendered?: (vars: Vars) => void; literal?: ReadonlySet<string> } = {},
): Vars {
  const { warnings, rendered, literal } = opts;
  if (warnings) for (const w of typoWarnings(catalog, inventoryVars)) warnings.add(w);
  const vars: Vars = {};
  for (const spec of Object.values(catalog.variables)) if (spec.hasDefault) vars[spec.name] = cloneValue(spec.default);
  Object.assign(vars, inventoryVars);

  const problems = new VariableProblems(catalog, host, inventoryVars);
  for (const spec of Object.values(catalog.variables)) {
    if (!(spec.name in vars)) problems.add(undefined, `variable ${spec.name} is required (declared by ${declaredBy(spec)}): ${spec.description}`);
  }
  const names = Object.keys(catalog.variables);
  if (problems.none()) renderVariables(names, vars, engine, host, problems, literal);
  if (problems.none()) rendered?.(vars);
  if (problems.none()) coerceVariables(catalog, names, vars, problems);
  if (problems.none()) checkVariables(catalog, vars, problems, warnings);
  problems.throwIfAny();
  return vars;
}

/** A default's own copy for each host (a scalar is its own copy). */
export const cloneValue = (v: unknown) => (v !== null && typeof v === 'object' ? structuredClone(v) : v);

/**
 * A host's problems with its variables. Each names the variable it is about, so the error can
 * point where that value was set: the inventory, vars file or `-e` that set it, else the role file
 * that declares its default.
 */
export class VariableProblems {
  private readonly problems: { variable?: string; message: string }[] = [];

  constructor(
    private readonly catalog: RoleCatalog,
    private readonly host: string,
    private readonly inventoryVars: Vars,
  ) {}

  add(variable: string | undefined, message: string): void {
    this.problems.push({ variable, message });
  }

  none(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(): void {
    if (this.none()) return;
    const errors = this.problems.map((p) => new ValidationError(p.message, { host: this.host, ...this.whereSet(p.variable) }));
    throw errors.length === 1 ? errors[0] : new ErrorList(errors);
  }

  private whereSet(variable: string | undefined): { file?: string; line?: number; col?: number } {
    if (variable === undefined) return {};
    if (variable in this.inventoryVars) return originOf(this.inventoryVars, variable) ?? {};
    return this.catalog.variables[variable]?.where ?? {};
  }
}

/** Type-checks the named declared variables in place, accepting what Ansible users write (yes/no, "3"). */
export function coerceVariables(catalog: RoleCatalog, names: readonly string[], vars: Vars, problems: VariableProblems): void {
  for (const name of names) {
    const spec = catalog.variables[name]!;
    const result = coerce(spec, vars[spec.name]);
    if (typeof result === 'string') problems.add(spec.name, `variable ${spec.name}: ${result}`);
    else vars[spec.name] = result.value;
    if (spec.items && Array.isArray(vars[spec.name])) vars[spec.name] = coerceItems(spec, vars[spec.name] as unknown[], problems);
  }
}

/** A list variable's items, each to the declared item type (`items:`). */
function coerceItems(spec: VariableSpec, items: unknown[], problems: VariableProblems): unknown[] {
  // A new list: the one checked may be a group's, shared by its hosts (and frozen, see plan-classes.ts).
  const list = [...items];
  const itemSpec = { ...spec, type: spec.items!, choices: undefined };
  for (const [i, item] of list.entries()) {
    const r = coerce(itemSpec, item);
    if (typeof r === 'string') problems.add(spec.name, `variable ${spec.name}[${i}]: ${r}`);
    else list[i] = r.value;
  }
  return list;
}

/** Every declared variable's domain check (`check:`), on type-checked values. */
export function checkVariables(catalog: RoleCatalog, vars: Vars, problems: VariableProblems, warnings?: Set<string>): void {
  for (const spec of Object.values(catalog.variables)) {
    if (spec.check) for (const p of VARIABLE_CHECKS[spec.check]!(vars[spec.name], vars, (w) => warnings?.add(w))) problems.add(spec.name, p);
  }
}

/** Names provision or Ansible read that no role declares. */
const UNDECLARED_KNOWN = new Set([
  'provision_roles',
  'inventory_hostname',
  'inventory_hostname_short',
  'group_names',
  'groups',
  'hostvars',
  'inventory_dir',
  'inventory_file',
  'omit',
]);

/**
 * A variable no role declares is ignored, as Ansible ignores it; one within edit distance 2 of a
 * declared name is most likely a typo (`containerd_verison`) that would silently keep the default.
 */
export function typoWarnings(catalog: RoleCatalog, inventoryVars: Vars): string[] {
  const declared = Object.keys(catalog.variables);
  const out: string[] = [];
  for (const name of Object.keys(inventoryVars)) {
    if (name in catalog.variables || name.startsWith('ansible_') || UNDECLARED_KNOWN.has(name) || name.length < 4) continue;
    const near = declared.filter((d) => editDistance(d, name) <= 2);
    if (near.length) out.push(`variable ${name} is not declared by any role and is ignored: did you mean ${near.join(' or ')}?`);
  }
  return out;
}

/**
 * Renders `{{ }}` in the named variables in place, each once and after the variables its template
 * reads (an undeclared one from the inventory too, as Ansible templates every variable), so a value
 * may be built from others that are templates themselves. What rendering puts into a value is
 * never rendered again, and a `literal` value (read from a node: Docker's log tag `{{.Name}}`, or
 * anything someone with the node's files wrote) is never rendered at all.
 */
export function renderVariables(
  names: readonly string[],
  vars: Vars,
  engine: TemplateRenderer,
  host: string,
  problems: VariableProblems,
  literal: ReadonlySet<string> = new Set(),
): void {
  const renderable = (n: string) => !literal.has(n) && Object.hasOwn(vars, n) && hasTemplate(vars[n]);
  const pending = names.filter(renderable);
  const state = new Map<string, 'rendering' | 'done'>();
  const render = (name: string, chain: string[]): boolean => {
    if (state.get(name) === 'done') return true;
    if (state.get(name) === 'rendering') {
      const cycle = chain.slice(chain.indexOf(name));
      problems.add(undefined, `variables ${cycle.join(', ')} refer to each other in a cycle (host ${host})`);
      return false;
    }
    state.set(name, 'rendering');
    // A template whose reads cannot be known waits for every other pending one it does not wait under.
    const known = valueInputs(vars[name], engine);
    for (const dep of known ?? pending) {
      if (dep === name || !renderable(dep) || (!known && state.get(dep) === 'rendering')) continue;
      if (!render(dep, [...chain, name])) return false;
    }
    try {
      vars[name] = renderDeep(vars[name], (s) => engine.renderValue(s, vars, `variable ${name}`));
      // A value built from a secret is a secret, also where rendering changed it (`| b64encode`).
      if ((known ?? pending).some((dep) => dep !== name && holdsSecret(vars[dep]))) registerDerived(vars[name]);
    } catch (e) {
      if (!(e instanceof ProvisionError)) throw e;
      problems.add(name, `variable ${name}: ${e.message}`);
      return false;
    }
    state.set(name, 'done');
    return true;
  };
  for (const name of pending) if (!render(name, [])) return;
}

/** The root names the templates in a value read, or undefined when that cannot be known. */
export function valueInputs(value: unknown, engine: TemplateRenderer): string[] | undefined {
  const names: string[] = [];
  let known = true;
  renderDeep(value, (s) => {
    const inputs = engine.inputsOf(s);
    if (inputs === undefined) known = false;
    else names.push(...inputs);
  });
  return known ? names : undefined;
}

export function renderDeep(value: unknown, render: (s: string) => unknown): unknown {
  if (typeof value === 'string') return value.includes('{{') ? render(value) : value;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, render));
  if (value && typeof value === 'object') {
    const out: Vars = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderDeep(v, render);
    return out;
  }
  return value;
}

/** Whether a value holds `{{` anywhere in its strings (keys are never rendered). */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

/** Checks a value against its declared type, accepting what Ansible users write (yes/no, "3"). */
function coerce(spec: VariableSpec, v: unknown): { value: unknown } | string {
  // Only a refused value is shown: building the text for every accepted one costs more than the checks.
  const got = () => `got ${JSON.stringify(maskSecrets(v))}`;
  let value = v;
  switch (spec.type) {
    case 'boolean':
      value = parseAnsibleBoolean(v);
      if (value === undefined) return `expected a boolean (true/false, yes/no, on/off, y/n, 1/0), ${got()}`;
      break;
    case 'integer':
      if (typeof v === 'string' && /^-?\d+$/.test(v)) value = Number(v);
      else if (!Number.isInteger(v)) return `expected an integer, ${got()}`;
      break;
    case 'version':
      if (typeof v === 'number') return `expected a version string, got the number ${v}: quote it ("${v}"), since YAML and INI read 1.20 as 1.2`;
      if (typeof v !== 'string' || !parseVersion(v)) return `expected a version such as "1.27" or "1.7.24", ${got()}`;
      if (versionProblem(v)) return versionProblem(v)!;
      break;
    case 'string':
      if (typeof v === 'number') value = String(v);
      else if (typeof v !== 'string') return `expected a string, ${got()}`;
      else if (uncarriableProblem(v)) return uncarriableProblem(v)!;
      break;
    case 'path':
      return withValue(v, pathProblem(v));
    case 'registry':
      return withValue(v, registryProblem(v));
    case 'name':
      return withValue(v, dnsLabelProblem(v));
    case 'filename':
      return withValue(v, filenameProblem(v));
    case 'port':
      if (portProblem(v)) return portProblem(v)!;
      value = Number(v);
      break;
    case 'list':
      if (!Array.isArray(v)) return `expected a list, ${got()}`;
      break;
    case 'map':
      if (v === null || v === undefined) value = {};
      else if (typeof v !== 'object' || Array.isArray(v)) return `expected a mapping, ${got()}`;
      break;
  }
  if (spec.choices && !spec.choices.includes(value)) return `expected one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}, ${got()}`;
  return { value };
}

const withValue = (v: unknown, problem: string | undefined) => problem ?? { value: v };

function declaredBy(spec: VariableSpec): string {
  return spec.owner === 'shared' ? 'roles/variables.yaml' : `role ${spec.owner}`;
}
