import { defaultRolesDir, defaultTemplateDir } from '../../core/paths.js';
import { loadRoles } from '../../roles/load-roles.js';
import type { VariableSpec } from '../../roles/role.js';

/** `provision roles`: the roles, their aliases and the variables each one reads. */
export async function rolesCommand(opts: { variables?: boolean }): Promise<void> {
  const catalog = loadRoles(defaultRolesDir, defaultTemplateDir);
  const lines: string[] = [];
  const describe = (v: VariableSpec) =>
    `    ${v.name} (${v.type}${v.hasDefault ? `, default ${JSON.stringify(v.default)}` : ', required'}): ${v.description}`;
  for (const role of catalog.roles) {
    lines.push(`${role.name}${role.aliases.length ? ` (also: ${role.aliases.join(', ')})` : ''}`, `  ${role.description}`);
    if (opts.variables !== false) {
      const vars = Object.values(role.variables);
      if (vars.length) lines.push('  variables:', ...vars.map(describe));
    }
    lines.push('');
  }
  const shared = Object.values(catalog.variables).filter((v) => v.owner === 'shared');
  lines.push('shared variables (every role):', ...shared.map(describe), '');
  process.stdout.write(lines.join('\n'));
}
