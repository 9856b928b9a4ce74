import { defaultRolesDir, defaultTemplateDir } from '../../core/paths.js';
import { loadRoles } from '../../roles/load-roles.js';
import type { RoleCatalog, VariableSpec } from '../../roles/role.js';
import { out } from '../terminal-text.js';

/** `provision roles`: the roles, their aliases and the variables each one reads. */
export async function rolesCommand(opts: { variables?: boolean; markdown?: boolean }): Promise<void> {
  const catalog = loadRoles(defaultRolesDir, defaultTemplateDir);
  out(opts.markdown ? rolesMarkdown(catalog) : rolesText(catalog, opts.variables !== false));
}

function rolesText(catalog: RoleCatalog, withVariables: boolean): string {
  const lines: string[] = [];
  const describe = (v: VariableSpec) => `    ${v.name} (${v.type}, ${defaultText(v)}): ${v.description}`;
  for (const role of catalog.roles) {
    lines.push(`${role.name}${role.aliases.length ? ` (also: ${role.aliases.join(', ')})` : ''}`, `  ${role.description}`);
    const vars = Object.values(role.variables);
    if (withVariables && vars.length) lines.push('  variables:', ...vars.map(describe));
    lines.push('');
  }
  if (withVariables) lines.push('shared variables (every role):', ...shared(catalog).map(describe), '');
  return lines.join('\n');
}

/** The README's tables, generated so the documentation cannot drift from the roles. */
export function rolesMarkdown(catalog: RoleCatalog): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const table = (vars: VariableSpec[]) => [
    '| variable | type | default | meaning |',
    '|---|---|---|---|',
    ...vars.map((v) => `| \`${v.name}\` | ${v.type} | ${cell(v.hasDefault ? `\`${JSON.stringify(v.default)}\`` : 'required')} | ${cell(v.description)} |`),
  ];
  const lines = ['| role | aliases | what it does |', '|---|---|---|'];
  for (const r of catalog.roles) lines.push(`| \`${r.name}\` | ${r.aliases.map((a) => `\`${a}\``).join(', ')} | ${cell(r.description)} |`);
  lines.push('', '#### Shared variables', '', ...table(shared(catalog)));
  for (const r of catalog.roles) {
    const vars = Object.values(r.variables);
    if (vars.length) lines.push('', `#### \`${r.name}\``, '', ...table(vars));
  }
  return `${lines.join('\n')}\n`;
}

const shared = (catalog: RoleCatalog) => Object.values(catalog.variables).filter((v) => v.owner === 'shared');
const defaultText = (v: VariableSpec) => (v.hasDefault ? `default ${JSON.stringify(v.default)}` : 'required');
