import { createHash, type Hash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledStore, compiledStoreFor, ownFile, useCompiledStore } from '../template/compiled-store.js';
import { loadRoles } from './load-roles.js';
import type { RoleCatalog } from './role.js';

/**
 * loadRoles, kept between runs: a command a person types (`render --limit`, `completion`) spent most
 * of its CPU parsing and checking the same role YAML and templates every time. The catalog is plain
 * data; it is stored under the cache directory keyed by the status of every file of the roles and
 * templates directories (see keyOf) and by this build of provision (the loader's own file), so an edited role,
 * template or provision is loaded and checked afresh. Only a catalog that loaded without a problem is
 * kept; a cache that cannot be read or written is no error (the roles are loaded as before).
 * PROVISION_CACHE_DIR (default $XDG_CACHE_HOME/provision, else ~/.cache/provision); "off" disables it.
 * Files stay until the cache directory is cleared: one per roles/templates directory pair used.
 * Under the same key, the templates compiled by the run (src/template/compiled-store.ts), written at exit.
 */
export function loadRolesCached(rolesDir: string, templateDir: string, dir = cacheDir()): RoleCatalog {
  const key = dir && keyOf(rolesDir, templateDir);
  const pair = createHash('sha256').update(`${rolesDir}\0${templateDir}`).digest('hex').slice(0, 16);
  const file = dir && key ? join(dir, `roles-${pair}.json`) : undefined;
  if (dir && key) openCompiledStore(join(dir, `templates-${pair}.json`), templateDir, key);
  if (file) {
    try {
      const cached = ownFile(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { key: string; catalog: RoleCatalog }) : undefined;
      if (cached && cached.key === key) return cached.catalog;
    } catch {
      // Not there yet, or unreadable: loaded below (as is a file someone else could have written).
    }
  }
  const catalog = loadRoles(rolesDir, templateDir);
  if (file) {
    try {
      mkdirSync(dir!, { recursive: true, mode: 0o700 });
      // Written beside and renamed: a concurrent run reads the old catalog or the new, never half of one.
      const tmp = `${file}.${process.pid}`;
      writeFileSync(tmp, JSON.stringify({ key, catalog }), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      // A read-only home: every run loads the roles.
    }
  }
  return catalog;
}

/** The store of compiled templates for this key, kept open for the process and written when it exits. */
function openCompiledStore(file: string, templateDir: string, key: string): void {
  const open = compiledStoreFor(templateDir);
  if (open?.key === key) return;
  open?.save();
  const store = new CompiledStore(templateDir, file, key);
  useCompiledStore(store, templateDir);
  if (!open) process.once('exit', () => compiledStoreFor(templateDir)?.save());
}

export function cacheDir(): string | undefined {
  const set = process.env.PROVISION_CACHE_DIR;
  // Run from its TypeScript source (tests, tsx), the loader's code may change without this file's
  // changing: only a build (dist/, whose files each build rewrites) keeps catalogs.
  if (set === 'off' || import.meta.url.endsWith('.ts')) return undefined;
  if (set) return set;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'provision');
}

/**
 * Every file's path and status under the two directories, and this loader's own build. The status is
 * size, modification and change times (nanoseconds) and inode: an edit changes the change time even where
 * size and modification time are kept (npm installs every file with the same 1985 mtime; `touch -r`), a
 * reinstalled file is a new inode, and nothing is read but directories (reading and hashing every file took
 * a tenth of `render --limit`'s CPU).
 */
function keyOf(rolesDir: string, templateDir: string): string | undefined {
  const hash = createHash('sha256');
  try {
    hash.update(`${statusOf(fileURLToPath(import.meta.url))}\0`);
    for (const root of [rolesDir, templateDir]) hashTree(hash, root);
  } catch {
    // A directory that cannot be read: loadRoles says so, with its own message.
    return undefined;
  }
  return hash.digest('hex');
}

function statusOf(file: string): string {
  const s = statSync(file, { bigint: true });
  return `${s.size} ${s.mtimeNs} ${s.ctimeNs} ${s.ino} ${s.dev}`;
}

const pathOf = (e: { parentPath?: string; path?: string; name: string }) => join(e.parentPath ?? e.path ?? '', e.name);

/** Every file's path and status under `root`, in path order. */
function hashTree(hash: Hash, root: string): void {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true }).sort((a, b) => pathOf(a).localeCompare(pathOf(b)))) {
    if (!entry.isFile()) continue;
    hash.update(`${pathOf(entry)}\0${statusOf(pathOf(entry))}\0`);
  }
}
