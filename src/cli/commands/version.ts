import { readFileSync } from 'node:fs';
import { defaultRolesDir, defaultTemplateDir, packageRoot } from '../../core/paths.js';

/** `provision --version`, as `ansible --version`: the version and where roles and templates load from. */
export function versionText(): string {
  const pkg = JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version: string };
  return [
    `provision ${pkg.version}`,
    `  roles directory     = ${defaultRolesDir}${process.env.PROVISION_ROLES_DIR ? ' (PROVISION_ROLES_DIR)' : ''}`,
    `  templates directory = ${defaultTemplateDir}${process.env.PROVISION_TEMPLATE_DIR ? ' (PROVISION_TEMPLATE_DIR)' : ''}`,
    `  executable location = ${process.argv[1] ?? ''}`,
    `  node version        = ${process.version}`,
  ].join('\n');
}
