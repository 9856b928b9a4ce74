import { fileURLToPath } from 'node:url';

/** The package root: this file sits two levels below it, in src/core or dist/core. */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const defaultRolesDir = `${packageRoot}roles`;
export const defaultTemplateDir = `${packageRoot}templates`;
