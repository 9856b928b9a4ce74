import { fileURLToPath } from 'node:url';

/** The package root: this file sits two levels below it, in src/core or dist/core. */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The roles and templates shipped with provision, unless PROVISION_ROLES_DIR / PROVISION_TEMPLATE_DIR name others. */
export const defaultRolesDir = process.env.PROVISION_ROLES_DIR ?? `${packageRoot}roles`;
export const defaultTemplateDir = process.env.PROVISION_TEMPLATE_DIR ?? `${packageRoot}templates`;
