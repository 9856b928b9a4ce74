import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'yaml';
import { isScalar, isSeq } from 'yaml';
import { ErrorList, type ProvisionError, ValidationError } from '../core/errors.js';
import { YamlSource } from '../core/yaml-source.js';
import { CHECK_TYPES } from '../checks/check-list.js';
import { TASK_TYPES } from '../tasks/task-list.js';
import { type ArgSpec, argProblem } from '../tasks/task-type.js';
import { CHECK_KEYS, TASK_KEYS } from './task-keys.js';
import { TemplateRenderer } from '../template/renderer.js';
import { templateVariables } from '../template/template-variables.js';
import { helpers } from '../template/helpers.js';
import { VARIABLE_CHECKS } from './variable-checks.js';
import { PREFLIGHT_KINDS } from '../domain/preflight-checks.js';
import type { Role, RoleCatalog, TaskSpec, VariableSpec, VarType } from './role.js';

const ROLE_KEYS = new Set(['description', 'aliases', 'variables', 'tasks', 'handlers', 'verify', 'preflight']);
const VAR_KEYS = new Set(['type', 'items', 'description', 'default', 'choices', 'check']);
const VAR_TYPES: VarType[] = ['string', 'boolean', 'integer', 'list', 'map', 'version', 'path', 'registry', 'name', 'port', 'filename', 'any'];
/** Names a template may use without a declaration. */
const BUILTIN_NAMES = new Set(['item', 'inventory_hostname', 'group_names', 'this']);

/**
 * Loads every role under `rolesDir` plus the shared variables in `rolesDir/variables.yaml`,
 * checking structure, task arguments, notify targets and templates (syntax and variables),
 * and returns all problems at once, each as `file:line:col: message`.
 */
export function loadRoles(rolesDir: string, templateDir: string): RoleCatalog {
  const problems: ProvisionError[] = [];
  if (!statSync(rolesDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ValidationError(`roles directory ${rolesDir} does not exist or is not a directory (set by PROVISION_ROLES_DIR or the install)`, {
      file: rolesDir,
    });
  }
  const engine = new TemplateRenderer(templateDir);
  const variables: Record<string, VariableSpec> = {};

  readSharedVariables(join(rolesDir, 'variables.yaml'), variables, problems);

  const roles: Role[] = [];
  const names = readdirSync(rolesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of names) {
    const file = join(rolesDir, name, 'role.yaml');
    if (!existsSync(file)) continue;
    collect(problems, () => {
      const role = readRole(file, name, variables, problems);
      if (role) roles.push(role);
    });
  }

  checkAliases(roles, problems);
  for (const role of roles) for (const task of [...role.tasks, ...role.handlers, ...role.verify]) checkTaskReferences(task, engine, variables, problems);
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new ErrorList(problems);
  return { roles, variables, templateDir };
}

/** `roles/variables.yaml`, the variables several roles share (owner "shared"), if there is one. */
function readSharedVariables(sharedFile: string, variables: Record<string, VariableSpec>, problems: ProvisionError[]): void {
  if (!existsSync(sharedFile)) return;
  collect(problems, () => {
    const src = YamlSource.parse(readFileSync(sharedFile, 'utf8'), sharedFile, ValidationError);
    for (const { key, keyNode, value } of src.entries(src.root, 'roles/variables.yaml')) {
      if (key !== 'variables') throw src.error(keyNode, `unknown key "${key}": expected variables`);
      readVariables(src, value, 'shared', variables, problems);
    }
  });
}

function readRole(file: string, name: string, variables: Record<string, VariableSpec>, problems: ProvisionError[]): Role | undefined {
  const src = YamlSource.parse(readFileSync(file, 'utf8'), file, ValidationError);
  const role: Role = { name, description: '', aliases: [], preflight: [], variables: {}, tasks: [], handlers: [], verify: [], file };
  for (const { key, keyNode, value } of src.entries(src.root, 'a role file')) {
    collect(problems, () => {
      if (!ROLE_KEYS.has(key)) throw src.error(keyNode, `unknown key "${key}": expected one of ${[...ROLE_KEYS].join(', ')}`);
      if (key === 'description') role.description = scalarString(src, value, 'description');
      else if (key === 'aliases') role.aliases = stringList(src, value, 'aliases');
      else if (key === 'preflight') role.preflight = preflightKinds(src, value);
      else if (key === 'variables') role.variables = readVariables(src, value, name, variables, problems);
      else if (key === 'tasks') role.tasks = readTasks(src, value, name, problems, TASKS);
      else if (key === 'handlers') role.handlers = readTasks(src, value, name, problems, TASKS);
      else role.verify = readTasks(src, value, name, problems, CHECKS);
    });
  }
  const handlerNames = new Set(role.handlers.map((h) => h.name));
  for (const task of role.tasks) {
    for (const n of task.notify) {
      if (!handlerNames.has(n)) {
        problems.push(
          located(
            task,
            `task "${task.name}" notifies "${n}", which is not a handler of role ${name}` +
              (handlerNames.size ? ` (handlers: ${[...handlerNames].join(', ')})` : ''),
          ),
        );
      }
    }
  }
  return role;
}

function readVariables(src: YamlSource, node: Node | null, owner: string, all: Record<string, VariableSpec>, problems: ProvisionError[]) {
  const mine: Record<string, VariableSpec> = {};
  for (const { key, keyNode, value } of src.entries(node, 'variables')) {
    collect(problems, () => {
      const { line, col } = src.position(keyNode);
      const spec: VariableSpec = { name: key, type: 'any', description: '', hasDefault: false, owner, where: { file: src.file, line, col } };
      for (const field of src.entries(value, `variable "${key}"`)) readVariableField(src, spec, field);
      if (!spec.description) throw src.error(keyNode, `variable "${key}" needs a description (it is the role's documentation)`);
      const earlier = all[key];
      if (earlier) {
        throw src.error(
          keyNode,
          `variable "${key}" is already declared at ${earlier.where.file}:${earlier.where.line}:${earlier.where.col}; declare it once (shared variables go in roles/variables.yaml)`,
        );
      }
      all[key] = spec;
      mine[key] = spec;
    });
  }
  return mine;
}

/** What a list in a role holds: tasks (and handlers) of task types, or checks of check types. */
interface ListKind {
  what: string;
  types: Readonly<Record<string, { args: Record<string, ArgSpec>; oneOf?: string[] }>>;
  keys: Record<string, string>;
}
const TASKS: ListKind = { what: 'task', types: TASK_TYPES, keys: TASK_KEYS };
const CHECKS: ListKind = { what: 'check', types: CHECK_TYPES, keys: CHECK_KEYS };

function readTasks(src: YamlSource, node: Node | null, role: string, problems: ProvisionError[], kind: ListKind): TaskSpec[] {
  if (node == null) return [];
  if (!isSeq(node)) throw src.error(node, `tasks must be a list, got ${describe(node)}`);
  const tasks: TaskSpec[] = [];
  for (const item of node.items as Node[]) {
    collect(problems, () => tasks.push(readTask(src, item, role, kind)));
  }
  return tasks;
}

function readTask(src: YamlSource, node: Node, role: string, kind: ListKind): TaskSpec {
  const { line, col } = src.position(node);
  const task: TaskSpec = { name: '', type: '', args: {}, notify: [], role, where: { file: src.file, line, col } };
  const typeKeys: string[] = [];
  for (const { key, keyNode, value } of src.entries(node, `a ${kind.what}`)) {
    if (!(key in kind.keys) && !kind.types[key]) {
      throw src.error(
        keyNode,
        `unknown key "${key}" in a ${kind.what}: expected a ${kind.what} type (${Object.keys(kind.types).join(', ')}) or ${Object.keys(kind.keys).join(', ')}`,
      );
    }
    if (key === 'name') task.name = scalarString(src, value, 'name');
    else if (key === 'when') task.when = scalarString(src, value, 'when');
    else if (key === 'loop') task.loop = scalarString(src, value, 'loop');
    else if (key === 'if_exists') task.ifExists = isSeq(value) ? stringList(src, value, 'if_exists') : [scalarString(src, value, 'if_exists')];
    else if (key === 'notify') task.notify = isSeq(value) ? stringList(src, value, 'notify') : [scalarString(src, value, 'notify')];
    else if (key === 'warn') task.warn = src.toJS(value) === true;
    else if (kind.types[key]) {
      typeKeys.push(key);
      task.type = key;
      task.args = readArgs(src, value, key, kind);
    }
  }
  if (!task.name) throw src.error(node, `a ${kind.what} needs a name`);
  if (typeKeys.length !== 1) {
    throw src.error(
      node,
      `${kind.what} "${task.name}" must have exactly one ${kind.what} type (${Object.keys(kind.types).join(', ')}), found ${typeKeys.length ? typeKeys.join(', ') : 'none'}`,
    );
  }
  return task;
}

function readArgs(src: YamlSource, node: Node | null, type: string, kind: ListKind): Record<string, unknown> {
  const spec = kind.types[type]!;
  const args: Record<string, unknown> = {};
  for (const { key, keyNode, value } of src.entries(node, `arguments of ${type}`)) {
    const argSpec = spec.args[key];
    if (!argSpec) throw src.error(keyNode, `unknown argument "${key}" for ${type}: expected ${Object.keys(spec.args).join(', ')}`);
    const v = src.toJS(value);
    const problem = argProblem(argSpec, v);
    if (problem) throw src.error(value ?? keyNode, `${type} argument "${key}": ${problem}`);
    args[key] = v;
  }
  for (const [name, a] of Object.entries(spec.args)) {
    if (a.required && !(name in args)) throw src.error(node, `${type} needs argument "${name}" (${a.doc})`);
  }
  if (spec.oneOf && !spec.oneOf.some((k) => k in args)) throw src.error(node, `${type} needs one of ${spec.oneOf.join(', ')}`);
  return args;
}

/** Templates exist and parse, and every name they and the task's strings use is declared. */
function checkTaskReferences(task: TaskSpec, engine: TemplateRenderer, variables: Record<string, VariableSpec>, problems: ProvisionError[]) {
  const known = (n: string) => n in variables || n in helpers || BUILTIN_NAMES.has(n);
  const report = (names: { name: string; line: number; col: number }[], where: string) => {
    for (const u of names.filter((x) => !known(x.name))) {
      problems.push(
        new ValidationError(`"${u.name}" is not a declared variable (task "${task.name}" of role ${task.role})`, {
          file: where,
          line: u.line,
          col: u.col,
          role: task.role,
          task: task.name,
        }),
      );
    }
  };
  collect(problems, () => {
    if (task.type === 'template' && typeof task.args.src === 'string' && !task.args.src.includes('{{')) {
      const file = join(engine.templateDir, task.args.src);
      if (!existsSync(file)) throw located(task, `task "${task.name}": template "${task.args.src}" not found in ${engine.templateDir}`);
      report(templateVariables(readFileSync(file, 'utf8'), file), file);
    }
    const strings = [...Object.values(task.args).flatMap(stringsIn), task.when ? `{{#if ${task.when.replace(/^not\s+/, '')}}}{{/if}}` : ''];
    for (const s of strings.filter((x) => x.includes('{{'))) {
      report(
        templateVariables(s, task.where.file).map((u) => ({ ...u, line: task.where.line, col: task.where.col })),
        task.where.file,
      );
    }
    if (task.loop && !(task.loop.split('.')[0]! in variables))
      throw located(task, `task "${task.name}": loop over "${task.loop}", which is not a declared variable`);
  });
}

function stringsIn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringsIn);
  return [];
}

function checkAliases(roles: Role[], problems: ProvisionError[]) {
  const owner = new Map<string, string>();
  for (const role of roles) {
    for (const n of [role.name, ...role.aliases]) {
      const other = owner.get(n);
      if (other && other !== role.name) problems.push(new ValidationError(`"${n}" names both role ${other} and role ${role.name}`, { file: role.file }));
      owner.set(n, role.name);
    }
  }
}

function located(task: TaskSpec, message: string): ValidationError {
  const { file, line, col } = task.where;
  return new ValidationError(message, { file, line, col, role: task.role, task: task.name });
}

function scalarString(src: YamlSource, node: Node | null, what: string): string {
  if (!isScalar(node) || typeof node.value !== 'string') throw src.error(node, `${what} must be a string`);
  return node.value;
}

function stringList(src: YamlSource, node: Node | null, what: string): string[] {
  if (!isSeq(node)) throw src.error(node, `${what} must be a list of strings`);
  return (node.items as Node[]).map((n) => scalarString(src, n, what));
}

function describe(node: Node): string {
  return isScalar(node) ? JSON.stringify(node.value) : 'a mapping';
}

function collect(problems: ProvisionError[], fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof ErrorList) problems.push(...e.errors);
    else if ((e as ProvisionError).code) problems.push(e as ProvisionError);
    else throw e;
  }
}

/** A role's `preflight:`: the kinds of preflight checks its work needs (PREFLIGHT_KINDS), each known. */
function preflightKinds(src: YamlSource, node: Node | null): string[] {
  const kinds = stringList(src, node, 'preflight');
  const items = node && isSeq(node) ? node.items : [];
  kinds.forEach((k, i) => {
    if (!Object.hasOwn(PREFLIGHT_KINDS, k))
      throw src.error((items[i] as Node | undefined) ?? node, `unknown preflight kind "${k}": expected one of ${Object.keys(PREFLIGHT_KINDS).join(', ')}`);
  });
  return kinds;
}

/** One field of a variable's declaration (type, items, description, default, choices, check) into its spec. */
function readVariableField(src: YamlSource, spec: VariableSpec, field: { key: string; keyNode: Node; value: Node | null }): void {
  const key = spec.name;
  if (!VAR_KEYS.has(field.key)) throw src.error(field.keyNode, `unknown key "${field.key}" in variable "${key}": expected ${[...VAR_KEYS].join(', ')}`);
  if (field.key === 'type') {
    const t = scalarString(src, field.value, 'type') as VarType;
    if (!VAR_TYPES.includes(t)) throw src.error(field.value, `unknown type "${t}": expected ${VAR_TYPES.join(', ')}`);
    spec.type = t;
  } else if (field.key === 'items') {
    const t = scalarString(src, field.value, 'items') as VarType;
    if (!VAR_TYPES.includes(t) || t === 'list') throw src.error(field.value, `unknown item type "${t}": expected a scalar type or map`);
    spec.items = t;
  } else if (field.key === 'description') spec.description = scalarString(src, field.value, 'description');
  else if (field.key === 'default') {
    spec.default = src.toJS(field.value);
    spec.hasDefault = true;
  } else if (field.key === 'choices') spec.choices = src.toJS(field.value) as unknown[];
  else {
    spec.check = scalarString(src, field.value, 'check');
    if (!VARIABLE_CHECKS[spec.check]) throw src.error(field.value, `unknown check "${spec.check}": expected ${Object.keys(VARIABLE_CHECKS).join(', ')}`);
  }
}
