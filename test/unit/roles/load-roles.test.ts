import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorList, ValidationError, TemplateError } from '../../../src/core/errors.js';
import { defaultRolesDir, defaultTemplateDir } from '../../../src/core/paths.js';
import { loadRoles } from '../../../src/roles/load-roles.js';
import { findRole } from '../../../src/roles/select-roles.js';
import { HANDLER_ARGS } from '../../../src/checks/containerd-runtimes.js';
import { thrown } from '../../helpers/inventory.js';

/** A roles dir with one role `r` and the given templates. */
function rolesWith(
  roleYaml: string,
  templates: Record<string, string> = {},
  shared = 'variables:\n  v:\n    type: string\n    default: x\n    description: a variable\n',
) {
  const root = mkdtempSync(join(tmpdir(), 'provision-roles-'));
  mkdirSync(join(root, 'roles', 'r'), { recursive: true });
  mkdirSync(join(root, 'templates'));
  writeFileSync(join(root, 'roles', 'variables.yaml'), shared);
  writeFileSync(join(root, 'roles', 'r', 'role.yaml'), roleYaml);
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(root, 'templates', name), text);
  return { rolesDir: join(root, 'roles'), templateDir: join(root, 'templates'), roleFile: join(root, 'roles', 'r', 'role.yaml') };
}

const task = (body: string) => `description: d\ntasks:\n  - name: t\n${body}`;

describe('role loading', () => {
  it('loads the project roles, answering to names and aliases', () => {
    const catalog = loadRoles(defaultRolesDir, defaultTemplateDir);
    expect(catalog.roles.map((r) => r.name)).to.deep.equal(['install-cni', 'install-containerd', 'install-runc', 'kubelet-config', 'remove-docker']);
    expect(findRole(catalog, 'containerd').name).to.equal('install-containerd');
    expect(findRole(catalog, 'install-runc').name).to.equal('install-runc');
    expect(thrown(() => findRole(catalog, 'containrd')).message).to.match(
      /unknown role "containrd"; did you mean "containerd"\? Roles: install-cni \(cni\), install-containerd \(containerd\)/,
    );
  });

  it('gives every check of the runtime handlers the same handlers: the pod check runs what is written (carried ones too)', () => {
    const install = findRole(loadRoles(defaultRolesDir, defaultTemplateDir), 'install-containerd');
    const handlerChecks = install.verify.filter((c) => 'runtimes' in c.args);
    expect(handlerChecks.map((c) => c.type)).to.have.members(['containerd_runtimes', 'pod']);
    const handlerArgs = (args: Record<string, unknown>) => Object.fromEntries(Object.keys(HANDLER_ARGS).map((k) => [k, args[k]]));
    for (const c of handlerChecks) expect(handlerArgs(c.args), c.name).to.deep.equal(handlerArgs(handlerChecks[0]!.args));
    expect(handlerChecks[0]!.args.runtimes).to.equal('{{containerd_runtime_handlers}}');
  });

  const invalid: [string, string, Record<string, string>, number, number, RegExp][] = [
    [
      'an unknown top-level key',
      'description: d\ntaks: []\n',
      {},
      2,
      1,
      /unknown key "taks": expected one of description, aliases, variables, tasks, handlers/,
    ],
    [
      'an unknown preflight kind',
      'description: d\npreflight: [download, disk-spce]\ntasks: []\n',
      {},
      2,
      23,
      /unknown preflight kind "disk-spce": expected one of download, disk-space, /,
    ],
    ['an unknown task type', task('    copyy: { dest: /x }\n'), {}, 4, 5, /unknown key "copyy" in a task: expected a task type/],
    [
      'two task types',
      task('    file: { path: /x }\n    directory: { path: /y }\n'),
      {},
      3,
      5,
      /must have exactly one task type \(.*\), found file, directory/,
    ],
    ['no task type', task('    when: v\n'), {}, 3, 5, /found none/],
    [
      'an unknown argument',
      task('    file: { path: /x, mod: "0644" }\n'),
      {},
      4,
      23,
      /unknown argument "mod" for file: expected path, state, owner, group, mode/,
    ],
    ['a missing argument', task('    template: { dest: /x }\n'), {}, 4, 15, /template needs argument "src"/],
    ['an unquoted mode', task('    file: { path: /x, mode: 0644 }\n'), {}, 4, 29, /file argument "mode": expected a quoted octal mode such as "0644", got 644/],
    ['a bad choice', task('    file: { path: /x, state: gone }\n'), {}, 4, 30, /expected one of present, touch, absent, got "gone"/],
    ['a wrong type', task('    systemd: { name: x, enabled: "yes" }\n'), {}, 4, 34, /expected true or false, got "yes"/],
    ['a notify without handler', task('    file: { path: /x }\n    notify: restart it\n'), {}, 3, 5, /notifies "restart it", which is not a handler of role r/],
    ['a missing template', task('    template: { src: nope.hbs, dest: /x }\n'), {}, 3, 5, /template "nope.hbs" not found/],
    [
      'an undeclared variable in a template, even inside #if',
      task('    template: { src: a.hbs, dest: /x }\n'),
      { 'a.hbs': 'ok {{v}}\n{{#if v}}\n  {{undeclared_thing}}\n{{/if}}\n' },
      3,
      5,
      /"undeclared_thing" is not a declared variable/,
    ],
    [
      'an undeclared variable in a task argument',
      task('    file: { path: "/x/{{nope}}" }\n'),
      {},
      3,
      5,
      /"nope" is not a declared variable \(task "t" of role r\)/,
    ],
    ['a variable without description', 'description: d\nvariables:\n  w:\n    type: string\n', {}, 3, 3, /variable "w" needs a description/],
    [
      'a variable declared twice',
      'description: d\nvariables:\n  v:\n    description: again\n',
      {},
      3,
      3,
      /variable "v" is already declared at .*variables\.yaml:2:3/,
    ],
    ['an unknown variable type', 'description: d\nvariables:\n  w:\n    type: str\n    description: x\n', {}, 4, 11, /unknown type "str"/],
    ['an unknown check', 'description: d\nvariables:\n  w:\n    check: nope\n    description: x\n', {}, 4, 12, /unknown check "nope"/],
    ['a YAML syntax error', 'description: d\ntasks: [\n', {}, 3, 1, /./],
  ];
  for (const [what, yaml, templates, line, col, message] of invalid) {
    it(`rejects ${what} with file:line:col`, () => {
      const { rolesDir, templateDir, roleFile } = rolesWith(yaml, templates);
      const e = thrown(() => loadRoles(rolesDir, templateDir));
      expect(e).to.be.instanceOf(ValidationError);
      expect(e.message).to.match(message);
      // A problem inside a template points into the template, else into the role file.
      const inTemplate = Object.keys(templates).length > 0;
      const expected = inTemplate ? { file: join(templateDir, 'a.hbs'), line: 3, col: 5 } : { file: roleFile, line, col };
      expect({ file: e.file, line: e.line, col: e.col }).to.deep.equal(expected);
    });
  }

  it('reports every problem in the roles at once', () => {
    const { rolesDir, templateDir } = rolesWith(task('    file: { path: /x, mod: 1 }\n  - name: u\n    bogus: 1\n'));
    const e = thrown(() => loadRoles(rolesDir, templateDir));
    expect(e).to.be.instanceOf(ErrorList);
    expect((e as unknown as ErrorList).errors.map((x) => x.line)).to.deep.equal([4, 6]);
  });

  it('points at a template syntax error', () => {
    const { rolesDir, templateDir } = rolesWith(task('    template: { src: a.hbs, dest: /x }\n'), { 'a.hbs': 'a\n{{#if v}}\nb\n' });
    const e = thrown(() => loadRoles(rolesDir, templateDir));
    expect(e).to.be.instanceOf(TemplateError);
    expect((e as unknown as TemplateError).location).to.match(/a\.hbs:\d+$/);
    expect(e.message).to.match(/^template syntax error/);
  });
});
