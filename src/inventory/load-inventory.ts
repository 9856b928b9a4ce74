import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { InventoryError } from '../core/errors.js';
import { YamlSource } from '../core/yaml-source.js';
import { parseIniInventory } from './ini-inventory.js';
import { Inventory, type Vars } from './inventory.js';
import { parseYamlInventory } from './yaml-inventory.js';

const VARS_EXTENSIONS = new Set(['', '.yml', '.yaml', '.json']);
const YAML_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);
/** Files Ansible's inventory directory loading skips (`inventory_ignore_extensions`). */
const IGNORED = /(~|\.orig|\.bak|\.ini\.swp|\.cfg|\.retry|\.pyc|\.pyo|\.md|\.txt|\.rst)$/;

/**
 * Reads one or more inventory sources (files or directories) into one inventory, with
 * `group_vars/` and `host_vars/` found beside each source, as `ansible -i` does.
 */
export function loadInventory(paths: string | string[]): Inventory {
  const inv = new Inventory();
  const varDirs: string[] = [];
  for (const path of Array.isArray(paths) ? paths : [paths]) {
    const stat = statOrFail(path);
    if (stat.isDirectory()) {
      const files = readdirSync(path)
        .filter((n) => !n.startsWith('.') && !IGNORED.test(n) && n !== 'group_vars' && n !== 'host_vars')
        .sort()
        .map((n) => join(path, n))
        .filter((p) => statSync(p).isFile());
      if (files.length === 0) throw new InventoryError(`${path}: inventory directory holds no inventory file`, { file: path });
      for (const f of files) parseSource(f, inv);
      varDirs.push(path);
    } else {
      parseSource(path, inv);
      varDirs.push(dirname(path));
    }
    inv.sources.push(path);
  }
  inv.finalize();
  for (const dir of new Set(varDirs)) loadVarsDirs(dir, inv);
  return inv;
}

function parseSource(file: string, inv: Inventory): void {
  const text = readFileSync(file, 'utf8');
  const ext = extname(file).toLowerCase();
  if (YAML_EXTENSIONS.has(ext) || (ext === '' && looksLikeYamlInventory(text))) parseYamlInventory(text, file, inv);
  else parseIniInventory(text, file, inv);
}

/**
 * A hosts file with no extension may be either format (Ansible tries YAML, then INI). INI's
 * `[group]` header is also valid YAML, so decide on the first meaningful line instead.
 */
function looksLikeYamlInventory(text: string): boolean {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !/^\s*[#;]/.test(l));
  return first !== undefined && (first.trim() === '---' || /^[A-Za-z0-9_.-]+:\s*(#.*)?$/.test(first.trim()));
}

function loadVarsDirs(dir: string, inv: Inventory): void {
  for (const [sub, apply] of [
    ['group_vars', (name: string, vars: Vars) => Object.assign(inv.group(name).fileVars, vars)],
    ['host_vars', (name: string, vars: Vars) => inv.hosts.has(name) && Object.assign(inv.host(name).fileVars, vars)],
  ] as const) {
    const base = join(dir, sub);
    if (!isDir(base)) continue;
    for (const entry of readdirSync(base).sort()) {
      if (entry.startsWith('.')) continue;
      const full = join(base, entry);
      const ext = extname(entry).toLowerCase();
      if (isDir(full)) apply(entry, readVarsTree(full));
      else if (VARS_EXTENSIONS.has(ext)) apply(basename(entry, extname(entry)), readVarsFile(full));
    }
  }
}

/** A group_vars/<name>/ directory: every vars file below it, in sorted order, later files winning. */
function readVarsTree(dir: string): Vars {
  const out: Vars = {};
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const full = join(dir, entry);
    if (isDir(full)) Object.assign(out, readVarsTree(full));
    else if (VARS_EXTENSIONS.has(extname(entry).toLowerCase())) Object.assign(out, readVarsFile(full));
  }
  return out;
}

export function readVarsFile(file: string): Vars {
  const src = YamlSource.parse(readFileSync(file, 'utf8'), file, InventoryError, '1.1');
  const out: Vars = {};
  for (const { key, value } of src.entries(src.root, 'a vars file')) out[key] = src.toJS(value);
  return out;
}

function statOrFail(path: string) {
  try {
    return statSync(path);
  } catch {
    throw new InventoryError(`inventory "${path}" does not exist`, { file: path });
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
