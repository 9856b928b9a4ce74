import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'ini';
import { UsageError } from '../core/errors.js';

/** The ansible.cfg settings provision honours; undefined when neither the file nor the env sets one. */
export interface AnsibleSettings {
  /** Which file was read, if any. */
  file?: string;
  inventory?: string[];
  remoteUser?: string;
  privateKeyFile?: string;
  forks?: number;
  timeout?: number;
  hostKeyChecking?: boolean;
  vaultPasswordFile?: string;
  become?: boolean;
  becomeUser?: string;
}

/**
 * Each setting's section and key in ansible.cfg and its environment variable, as ansible-core's
 * `config/base.yml` declares them (https://docs.ansible.com/ansible/latest/reference_appendices/config.html).
 */
const SETTINGS = {
  inventory: { section: 'defaults', key: 'inventory', env: 'ANSIBLE_INVENTORY', type: 'pathlist' },
  remoteUser: { section: 'defaults', key: 'remote_user', env: 'ANSIBLE_REMOTE_USER', type: 'string' },
  privateKeyFile: { section: 'defaults', key: 'private_key_file', env: 'ANSIBLE_PRIVATE_KEY_FILE', type: 'path' },
  forks: { section: 'defaults', key: 'forks', env: 'ANSIBLE_FORKS', type: 'integer' },
  timeout: { section: 'defaults', key: 'timeout', env: 'ANSIBLE_TIMEOUT', type: 'integer' },
  hostKeyChecking: { section: 'defaults', key: 'host_key_checking', env: 'ANSIBLE_HOST_KEY_CHECKING', type: 'boolean' },
  vaultPasswordFile: { section: 'defaults', key: 'vault_password_file', env: 'ANSIBLE_VAULT_PASSWORD_FILE', type: 'path' },
  become: { section: 'privilege_escalation', key: 'become', env: 'ANSIBLE_BECOME', type: 'boolean' },
  becomeUser: { section: 'privilege_escalation', key: 'become_user', env: 'ANSIBLE_BECOME_USER', type: 'string' },
} as const;

/**
 * The config file Ansible would read (`ConfigManager.find_ini_config_file`): `ANSIBLE_CONFIG`
 * (a file, or a directory holding ansible.cfg), else `./ansible.cfg` unless the current directory
 * is world-writable (Ansible ignores it there), else `~/.ansible.cfg`, else `/etc/ansible/ansible.cfg`.
 */
export function findAnsibleCfg(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), home = homedir()): string | undefined {
  const candidates: string[] = [];
  if (env.ANSIBLE_CONFIG) {
    const given = resolve(cwd, expandHome(env.ANSIBLE_CONFIG, home));
    candidates.push(isDir(given) ? join(given, 'ansible.cfg') : given);
  }
  if (!worldWritable(cwd)) candidates.push(join(cwd, 'ansible.cfg'));
  candidates.push(join(home, '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  return candidates.find((c) => existsSync(c) && !isDir(c));
}

/** Settings from the environment over those of the config file, as Ansible ranks them. */
export function ansibleSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), home = homedir()): AnsibleSettings {
  const file = findAnsibleCfg(env, cwd, home);
  const ini = file ? readCfg(file) : {};
  const out: AnsibleSettings = file ? { file } : {};
  for (const [name, s] of Object.entries(SETTINGS) as [keyof typeof SETTINGS, (typeof SETTINGS)[keyof typeof SETTINGS]][]) {
    const fromEnv = env[s.env];
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : ini[s.section]?.[s.key];
    if (raw === undefined || raw === '') continue;
    const inEnv = fromEnv !== undefined && fromEnv !== '';
    const where = inEnv ? s.env : `${file} [${s.section}] ${s.key}`;
    // As Ansible: relative paths in the file are relative to the file's directory.
    const base = inEnv || !file ? cwd : dirname(file);
    (out as Record<string, unknown>)[name] = convert(raw, s.type, where, home, base);
  }
  return out;
}

type Sections = Record<string, Record<string, string> | undefined>;

function readCfg(file: string): Sections {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read Ansible config ${file}: ${(e as Error).message}`, { file });
  }
  const parsed = parse(text) as Record<string, unknown>;
  const out: Sections = {};
  for (const [section, body] of Object.entries(parsed)) {
    if (!body || typeof body !== 'object') continue;
    out[section] = Object.fromEntries(
      // configparser's inline comments (`forks = 5 ; why`), which the ini package keeps in the value.
      Object.entries(body as Record<string, unknown>).map(([k, v]) => [
        k.trim(),
        String(v)
          .replace(/\s+;.*$/, '')
          .trim(),
      ]),
    );
  }
  return out;
}

function convert(raw: string, type: string, where: string, home: string, base: string): unknown {
  switch (type) {
    case 'integer': {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new UsageError(`${where}: expected an integer, got "${raw}"`);
      return n;
    }
    case 'boolean': {
      // ansible-core's boolean(): these words, case-insensitive; anything else is false.
      return ['y', 'yes', 'on', '1', 'true', 't'].includes(raw.trim().toLowerCase());
    }
    case 'path':
      return resolve(base, expandHome(raw, home));
    case 'pathlist':
      return raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => resolve(base, expandHome(p, home)));
    default:
      return raw;
  }
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}
