import { readFileSync } from 'node:fs';
import { InventoryError, UsageError } from '../core/errors.js';
import type { Inventory } from './inventory.js';

/**
 * Ansible host patterns, as `--limit` reads them (ansible-core `inventory/manager.py`):
 * terms split by `,` (or `:` outside brackets), plain terms first, then `&` intersections,
 * then `!` exclusions; each term a name, glob, `~regex` or group, optionally subscripted.
 */
export function selectHosts(inv: Inventory, pattern: string | string[], opts: { cwd?: string } = {}): string[] {
  const terms = (Array.isArray(pattern) ? pattern : [pattern]).flatMap((p) => expandFileTerms(splitPattern(p), opts.cwd));
  if (terms.length === 0) throw new UsageError('empty host pattern');
  const plain = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'));
  const and = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1));
  const not = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));

  const selected = new Set<string>();
  for (const term of plain.length ? plain : ['all']) {
    const hosts = matchTerm(inv, term);
    if (hosts.length === 0) throw noMatch(inv, term);
    hosts.forEach((h) => selected.add(h));
  }
  for (const term of and) {
    const keep = new Set(matchTerm(inv, term));
    for (const h of [...selected]) if (!keep.has(h)) selected.delete(h);
  }
  for (const term of not) for (const h of matchTerm(inv, term)) selected.delete(h);

  const result = [...inv.hosts.keys()].filter((h) => selected.has(h));
  if (result.length === 0) throw new InventoryError(`host pattern "${terms.join(',')}" leaves no hosts to target`);
  return result;
}

/** Splits on `,`; with no comma, on `:` outside `[...]` (the old separator; IPv6 addresses kept whole). */
function splitPattern(pattern: string): string[] {
  if (pattern.includes(',')) return pattern.split(',').map((t) => t.trim()).filter(Boolean);
  const trimmed = pattern.trim();
  if (trimmed.startsWith('~') || /^[0-9a-fA-F:]+$/.test(trimmed) && trimmed.split(':').length > 2) return [trimmed];
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of trimmed) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === ':' && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter(Boolean);
}

function expandFileTerms(terms: string[], cwd?: string): string[] {
  return terms.flatMap((t) => {
    if (!t.startsWith('@')) return [t];
    const path = t.slice(1);
    let text: string;
    try {
      text = readFileSync(cwd && !path.startsWith('/') ? `${cwd}/${path}` : path, 'utf8');
    } catch {
      throw new UsageError(`cannot read host list "${path}" given as ${t}`);
    }
    return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  });
}

/** Hosts one term selects: groups by name (with their children's hosts), then hosts by name. */
function matchTerm(inv: Inventory, term: string): string[] {
  const { base, subscript } = splitSubscript(term);
  const matcher = toMatcher(base);
  const found = new Set<string>();
  const groups = [...inv.groups.keys()].filter(matcher);
  for (const g of groups) inv.groupHosts(g).forEach((h) => found.add(h));
  // As Ansible: hosts are matched when no group matched, or when the term is a glob or regex.
  if (groups.length === 0 || base.startsWith('~') || /[.?*[]/.test(base)) {
    for (const h of inv.hosts.keys()) if (matcher(h)) found.add(h);
  }
  const hosts = [...inv.hosts.keys()].filter((h) => found.has(h));
  return subscript ? applySubscript(hosts, subscript, term) : hosts;
}

interface Subscript {
  start: number;
  end?: number | 'last';
}

function splitSubscript(term: string): { base: string; subscript?: Subscript } {
  if (term.startsWith('~')) return { base: term };
  const m = /^(.+)\[(-?\d+)(?:(:)(-?\d*))?\]$/.exec(term);
  if (!m) return { base: term };
  const [, base, start, colon, end] = m as unknown as [string, string, string, string | undefined, string | undefined];
  if (!colon) return { base, subscript: { start: Number(start) } };
  return { base, subscript: { start: Number(start), end: end === '' || end === undefined ? 'last' : Number(end) } };
}

/** Ansible's slices include their end: `g[0:2]` is the first three hosts. */
function applySubscript(hosts: string[], s: Subscript, term: string): string[] {
  const at = (i: number) => (i < 0 ? hosts.length + i : i);
  if (s.end === undefined) {
    const host = hosts[at(s.start)];
    if (host === undefined) throw new InventoryError(`${term}: index ${s.start} is out of range (${hosts.length} hosts)`);
    return [host];
  }
  const end = s.end === 'last' ? hosts.length - 1 : at(s.end);
  return hosts.slice(at(s.start), end + 1);
}

function toMatcher(pattern: string): (name: string) => boolean {
  if (pattern.startsWith('~')) {
    let re: RegExp;
    try {
      // Python's re.match, which Ansible uses: anchored at the start only.
      re = new RegExp(`^(?:${pattern.slice(1)})`);
    } catch (e) {
      throw new UsageError(`invalid regular expression in host pattern "${pattern}": ${(e as Error).message}`);
    }
    return (name) => re.test(name);
  }
  if (!/[*?[]/.test(pattern)) return (name) => name === pattern;
  const re = new RegExp(`^${globToRegex(pattern)}$`);
  return (name) => re.test(name);
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, close);
        out += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return out;
}

function noMatch(inv: Inventory, term: string): InventoryError {
  const names = [...inv.hosts.keys(), ...inv.groups.keys()];
  const close = closeNames(term.replace(/^[&!]/, ''), names);
  const hint = close.length ? `; did you mean ${close.map((n) => `"${n}"`).join(', ')}?` : '';
  return new InventoryError(`host pattern "${term}" matches no host or group${hint}`);
}

export function closeNames(word: string, names: string[], max = 3): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return [...new Set(names)]
    .map((n) => ({ n, d: editDistance(word.toLowerCase(), n.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, max)
    .map(({ n }) => n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
