/**
 * Random Ansible inventories for the differential test: each seed gives one inventory (INI or
 * YAML) with nested children, hosts in several groups, inventory-file group and host vars,
 * group_vars/ and host_vars/ as files and directories, ansible_group_priority, host ranges,
 * YAML 1.1 scalars and INI (Python) literals, plus `--limit` patterns over its names.
 * The same seed always gives the same files.
 */

export interface GeneratedInventory {
  seed: number;
  /** Inventory file name inside the case directory (`hosts.ini`, `hosts.yml`, ...). */
  source: string;
  files: Record<string, string>;
  patterns: string[];
}

/** mulberry32: small, seedable, good enough to pick shapes. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const chance = (p: number) => next() < p;
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
  return { next, int, pick, chance, shuffle };
}

const GROUP_NAMES = ['web', 'db', 'k8s_worker', 'edge', 'zone_a', 'prod', 'app2', 'cache'];
const HOST_NAMES = ['w1', 'w2', 'db1', 'node-a', 'n1.example.com', 'edge01', 'lb', 'x9'];
const RANGES = ['r[1:3]', 'k[01:03]', 's[a:c]', 'p[0:6:3]'];
const VAR_NAMES = ['color', 'size', 'flag', 'level', 'shared', 'mode'];

/** YAML 1.1 scalars as Ansible reads them (booleans, octal, sexagesimal, null, dates...). */
const YAML_VALUES = [
  '1',
  '-7',
  'yes',
  'No',
  'on',
  'OFF',
  'true',
  '~',
  'null',
  '0x1f',
  '010',
  '0o17',
  '1_000',
  '1.5e3',
  '3.25',
  '"quoted yes"',
  "'single'",
  'plain text',
  '[1, two, yes]',
  '{a: 1, b: [x]}',
  '2:30',
  '2001-12-14',
  '""',
  '"0644"',
  'y',
  'n',
];
/** INI values: `ast.literal_eval` when it parses, else the string. */
const INI_VALUES = [
  '1',
  '-2',
  '1.5',
  'True',
  'False',
  'None',
  'yes',
  '"a b"',
  "'x y'",
  '[1,2]',
  "{'k': 1}",
  '0x10',
  'abc',
  '1e3',
  '07',
  '1_000',
  '"[1,2]"',
  'a=b',
  "u'text'",
  '(1,2)',
];

export function generateInventory(seed: number): GeneratedInventory {
  const r = rng(seed);
  const yaml = r.chance(0.5);
  const groups = r.shuffle(GROUP_NAMES).slice(0, r.int(2, 6));
  const hostPool = [...r.shuffle(HOST_NAMES).slice(0, r.int(2, 6)), ...(r.chance(0.6) ? [r.pick(RANGES)] : [])];

  // Edges only from earlier to later groups: a DAG, sometimes a diamond.
  const children = new Map<string, string[]>(groups.map((g) => [g, []]));
  for (const [i, g] of groups.entries()) for (const c of groups.slice(i + 1)) if (r.chance(0.3)) children.get(g)!.push(c);

  const members = new Map<string, string[]>(groups.map((g) => [g, []]));
  const ungrouped: string[] = [];
  for (const h of hostPool) {
    const n = r.int(0, 3);
    if (n === 0) ungrouped.push(h);
    for (const g of r.shuffle(groups).slice(0, n)) members.get(g)!.push(h);
  }

  const value = () => (yaml ? r.pick(YAML_VALUES) : r.pick(INI_VALUES));
  const someVars = (max: number) => {
    const out: [string, string][] = [];
    for (const k of r.shuffle(VAR_NAMES).slice(0, r.int(0, max))) out.push([k, value()]);
    return out;
  };
  const priority = (): [string, string][] => (r.chance(0.3) ? [['ansible_group_priority', String(r.int(1, 4))]] : []);
  const groupVars = new Map(groups.map((g) => [g, [...someVars(3), ...priority()]]));
  const allVars = someVars(2);
  const hostLineVars = () => someVars(2);

  const files: Record<string, string> = {};
  let source: string;
  const shape: InventoryShape = { groups, children, members, ungrouped, groupVars, allVars, hostLineVars, r };
  if (yaml) {
    source = r.pick(['hosts.yml', 'hosts.yaml', 'inventory.yml']);
    files[source] = yamlInventory(shape);
  } else {
    source = r.pick(['hosts.ini', 'hosts', 'inventory.ini']);
    files[source] = iniInventory(shape);
  }

  // group_vars/ and host_vars/: a file (several extensions) or a directory of files.
  const varsFileBody = (vars: [string, string][]) =>
    vars.length ? `${vars.map(([k, v]) => `${k}: ${yamlValue(v)}`).join('\n')}\n` : r.pick(['---\n', '{}\n', '']);
  const varsFor = (kind: string, name: string) => {
    if (r.chance(0.25)) {
      files[`${kind}/${name}/a.yml`] = varsFileBody(someVars(3));
      files[`${kind}/${name}/b.yaml`] = varsFileBody(someVars(3));
    } else {
      // Sometimes two files for one name: Ansible reads only the first of '', .yml, .yaml, .json.
      for (const ext of r.shuffle(['.yml', '.yaml', '', '.json']).slice(0, r.chance(0.15) ? 2 : 1)) {
        files[`${kind}/${name}${ext}`] = varsFileBody(someVars(3));
      }
    }
  };
  if (r.chance(0.6)) varsFor('group_vars', 'all');
  for (const g of groups) if (r.chance(0.45)) varsFor('group_vars', g);
  for (const h of expandedHosts(hostPool)) if (r.chance(0.25)) varsFor('host_vars', h);
  for (const [name, body] of Object.entries(files)) {
    // JSON files must be JSON: write the same vars as a JSON object.
    if (name.endsWith('.json')) files[name] = jsonFromYamlBody(body);
  }

  const names = [...groups, ...expandedHosts(hostPool)];
  const patterns: string[] = [];
  // Subscripts only on groups without grandchildren: below the children Ansible's host order
  // follows a Python set of Group objects and varies from run to run.
  const indexable = groups.filter((g) => children.get(g)!.every((c) => children.get(c)!.length === 0));
  for (let i = 0; i < 4; i++) patterns.push(pattern(names, indexable, r));
  return { seed, source, files, patterns };
}

type Rng = ReturnType<typeof rng>;
type VarList = [string, string][];

/** One generated inventory, which the INI and the YAML writers each spell in their format. */
interface InventoryShape {
  groups: string[];
  children: Map<string, string[]>;
  members: Map<string, string[]>;
  ungrouped: string[];
  groupVars: Map<string, VarList>;
  allVars: VarList;
  hostLineVars: () => VarList;
  r: Rng;
}

function iniInventory({ groups, children, members, ungrouped, groupVars, allVars, hostLineVars, r }: InventoryShape): string {
  const kv = (vars: VarList) => vars.map(([k, v]) => ` ${k}=${iniToken(v)}`).join('');
  const out: string[] = [];
  for (const h of ungrouped) out.push(`${h}${kv(hostLineVars())}`);
  for (const g of groups) {
    out.push('', `[${g}]`, ...members.get(g)!.map((h) => `${h}${kv(hostLineVars())}`));
    if (children.get(g)!.length) out.push(`[${g}:children]`, ...children.get(g)!);
    const vars = groupVars.get(g)!;
    if (vars.length) out.push(`[${g}:vars]`, ...vars.map(([k, v]) => `${k}${r.pick(['=', ' = '])}${v}`));
  }
  if (allVars.length) out.push('', '[all:vars]', ...allVars.map(([k, v]) => `${k}=${v}`));
  return `${out.join('\n')}\n`;
}

/** A value on a host line is one shell-style token: quote it when it holds spaces. */
function iniToken(v: string): string {
  return /\s/.test(v) ? `'${v.replace(/'/g, '')}'` : v;
}

function yamlInventory({ groups, children, members, ungrouped, groupVars, allVars, hostLineVars, r }: InventoryShape): string {
  const out: string[] = ['all:'];
  const mapping = (vars: VarList, pad: string) => vars.map(([k, v]) => `${pad}${k}: ${v}`);
  const hostsBlock = (hosts: string[], pad: string) => {
    if (!hosts.length) return [];
    const lines = [`${pad}hosts:`];
    for (const h of hosts) {
      const vars = hostLineVars();
      lines.push(vars.length ? `${pad}  ${h}:` : `${pad}  ${h}:${r.chance(0.5) ? '' : ' ~'}`, ...mapping(vars, `${pad}    `));
    }
    return lines;
  };
  // Children are nested under their first parent and written again (empty) under later ones.
  const written = new Set<string>();
  const group = (g: string, pad: string): string[] => {
    const lines = [`${pad}${g}:`];
    if (written.has(g)) return lines;
    written.add(g);
    lines.push(...hostsBlock(members.get(g)!, `${pad}  `));
    const vars = groupVars.get(g)!;
    if (vars.length) lines.push(`${pad}  vars:`, ...mapping(vars, `${pad}    `));
    const kids = children.get(g)!;
    if (kids.length) {
      lines.push(`${pad}  children:`);
      for (const c of kids) lines.push(...group(c, `${pad}    `));
    }
    return lines;
  };
  out.push(...hostsBlock(ungrouped, '  '));
  if (allVars.length) out.push('  vars:', ...mapping(allVars, '    '));
  const top = groups.filter((g) => !groups.some((p) => children.get(p)!.includes(g)));
  const rest = groups.filter((g) => !top.includes(g));
  out.push('  children:');
  for (const g of [...top, ...rest]) out.push(...group(g, '    '));
  return `${out.join('\n')}\n`;
}

/** INI literals also appear in vars files; write them as YAML that means the same text. */
function yamlValue(v: string): string {
  return YAML_VALUES.includes(v) ? v : JSON.stringify(v);
}

function jsonFromYamlBody(body: string): string {
  const obj: Record<string, string> = {};
  for (const line of body.split('\n')) {
    const m = /^(\w+): (.*)$/.exec(line);
    if (m) obj[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return `${JSON.stringify(obj)}\n`;
}

function expandedHosts(pool: string[]): string[] {
  const out: string[] = [];
  for (const h of pool) {
    const m = /^(\w)\[(\w+):(\w+)(?::(\d+))?\]$/.exec(h);
    if (!m) {
      out.push(h);
      continue;
    }
    const [, prefix, from, to, step] = m as unknown as [string, string, string, string, string | undefined];
    if (/^\d+$/.test(from)) {
      for (let i = Number(from); i <= Number(to); i += Number(step ?? 1)) out.push(prefix + String(i).padStart(from.length, '0'));
    } else {
      for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out.push(prefix + String.fromCharCode(c));
    }
  }
  return out;
}

/** A `--limit` pattern: names, globs, regexes, subscripts, unions, `&` and `!`. */
function pattern(names: string[], groups: string[], r: Rng): string {
  const term = (): string => {
    const name = r.pick(names);
    switch (r.int(0, 7)) {
      case 0:
        return `${name.slice(0, 2)}*`;
      case 1:
        return `~${name.slice(0, 1)}.*`;
      case 2:
        return groups.length ? `${r.pick(groups)}[${r.pick(['0', '-1', '0:1', '1:', '1:0', '2'])}]` : name;
      case 3:
        return `*${name.slice(-1)}`;
      default:
        return name;
    }
  };
  const terms = [term()];
  for (let i = r.int(0, 2); i > 0; i--) terms.push(`${r.pick(['', '', '&', '!'])}${term()}`);
  if (r.chance(0.15)) terms.push('all');
  return terms.join(r.chance(0.7) ? ',' : ':');
}
