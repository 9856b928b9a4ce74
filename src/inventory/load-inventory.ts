import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { InventoryError } from '../core/errors.js';
import { YamlSource } from '../core/yaml-source.js';
import { parseIniInventory } from './ini-inventory.js';
import { Inventory, type Vars } from './inventory.js';
import { decryptVault, isVaultText } from './vault.js';
import { hostNameProblem } from './host-range.js';
import { registerSecrets } from '../core/secrets.js';
import { assignVars } from './provenance.js';
import { parseYamlInventory, varsOf } from './yaml-inventory.js';

/** ansible-core's `[''] + YAML_FILENAME_EXTENSIONS`, in the order it tries them. */
const VARS_EXTENSIONS = ['', '.yml', '.yaml', '.json'];
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
    if (isHostList(path)) {
      parseHostList(path, inv);
      inv.sources.push(path);
      continue;
    }
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

/** ansible-core's host_list plugin: `-i 'h1,h2:2222,'` names hosts, when no such file exists. */
function isHostList(path: string): boolean {
  return path.includes(',') && !exists(path);
}

function parseHostList(list: string, inv: Inventory): void {
  for (const entry of list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^\[(.+)\]:([0-9]+)$/.exec(entry) ?? /^([^:]+):([0-9]+)$/.exec(entry);
    const name = m ? m[1]! : entry;
    const bad = hostNameProblem(name);
    if (bad) throw new InventoryError(`-i ${JSON.stringify(list)}: ${bad}`);
    inv.addHost('ungrouped', name, m ? { ansible_port: Number(m[2]) } : {});
  }
}

/** A file's text, decrypted when it is a whole ansible-vault file (Ansible's loader does the same). */
function readSource(file: string): { plain: string; encrypted: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InventoryError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file, cause: e });
  }
  return isVaultText(text) ? { plain: decryptVault(text, file), encrypted: true } : { plain: text, encrypted: false };
}

function parseSource(file: string, inv: Inventory): void {
  const text = readSource(file).plain;
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

/**
 * `group_vars/` and `host_vars/` as ansible-core's host_group_vars plugin reads them: looked up by
 * each group's and host's name (a file for no group is ignored), the first of `<name>`,
 * `<name>.yml`, `<name>.yaml`, `<name>.json` that exists (`DataLoader.find_vars_files`); a directory
 * gives every vars file below it, sorted, later files winning.
 */
function loadVarsDirs(dir: string, inv: Inventory): void {
  // Without the directory no name can be found in it: thousands of hosts need not be looked up one by one.
  if (isDir(join(dir, 'group_vars'))) for (const g of inv.groups.values()) assignVars(g.fileVars, findVars(join(dir, 'group_vars'), g.name));
  if (isDir(join(dir, 'host_vars'))) for (const h of inv.hosts.values()) assignVars(h.fileVars, findVars(join(dir, 'host_vars'), h.name));
}

function findVars(base: string, name: string): Vars {
  for (const ext of VARS_EXTENSIONS) {
    const full = join(base, name + ext);
    if (isDir(full)) return readVarsTree(full);
    if (exists(full)) return readVarsFile(full);
  }
  return {};
}

/** A group_vars/<name>/ directory: every vars file below it, in sorted order, later files winning. */
function readVarsTree(dir: string): Vars {
  const out: Vars = {};
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const full = join(dir, entry);
    const ext = extname(entry);
    if (isDir(full)) {
      if (!ext) assignVars(out, readVarsTree(full));
    } else if (VARS_EXTENSIONS.includes(ext)) assignVars(out, readVarsFile(full));
  }
  return out;
}

export function readVarsFile(file: string): Vars {
  const text = readSource(file);
  const src = YamlSource.parse(text.plain, file, InventoryError, '1.1');
  const out = varsOf(src, src.root, 'a vars file');
  if (text.encrypted) registerSecrets(out);
  return out;
}

function statOrFail(path: string) {
  try {
    return statSync(path);
  } catch {
    throw new InventoryError(`inventory "${path}" does not exist`, { file: path });
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
