import { UsageError, ValidationError } from '../core/errors.js';
import { closeNames } from '../inventory/host-patterns.js';
import type { Vars } from '../inventory/inventory.js';
import type { Role, RoleCatalog } from './role.js';

/**
 * A role by its name, one of its aliases (`containerd` is install-containerd) or `role-<either>`,
 * the tag the migration guides pass to `--tags`.
 */
export function findRole(catalog: RoleCatalog, name: string): Role {
  const bare = name.replace(/^role-/, '');
  const role = catalog.roles.find((r) => [name, bare].some((n) => r.name === n || r.aliases.includes(n)));
  if (role) return role;
  const all = catalog.roles.flatMap((r) => [r.name, ...r.aliases]);
  const close = closeNames(name, all);
  const list = catalog.roles.map((r) => (r.aliases.length ? `${r.name} (${r.aliases.join(', ')})` : r.name)).join(', ');
  throw new UsageError(`unknown role "${name}"${close.length ? `; did you mean ${close.map((c) => `"${c}"`).join(', ')}?` : ''} Roles: ${list}`);
}

/** The variable that lists a host's roles: no role declares it. */
export const ROLES_VARIABLE = 'provision_roles';

/**
 * The roles a host gets: its `provision_roles` in order, narrowed to `--role` when given; a host
 * without `provision_roles` takes the `--role` list.
 */
export function rolesForHost(catalog: RoleCatalog, host: string, vars: Vars, wanted: Role[]): Role[] {
  const declared = vars[ROLES_VARIABLE];
  if (declared === undefined || declared === null) {
    if (wanted.length === 0) {
      throw new ValidationError(`host ${host} has no roles: set provision_roles (e.g. in group_vars) or pass --role`, { host });
    }
    return wanted;
  }
  if (!Array.isArray(declared) || !declared.every((r) => typeof r === 'string')) {
    throw new ValidationError(`provision_roles must be a list of role names, got ${JSON.stringify(declared)}`, { host });
  }
  const own = declared.map((n) => {
    try {
      return findRole(catalog, n);
    } catch (e) {
      throw new ValidationError(`provision_roles: ${(e as Error).message}`, { host });
    }
  });
  return wanted.length ? own.filter((r) => wanted.includes(r)) : own;
}
