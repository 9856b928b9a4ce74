import { parseAllDocuments } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { tmpfilesData, unitData } from './systemd-unit.js';

/**
 * A rendered file read back the way its consumer reads it, as plain data: TOML by smol-toml, YAML
 * as YAML 1.1 (kubelet and crictl read it with go-yaml, whose booleans are YAML 1.1's), JSON,
 * systemd units and tmpfiles.d lines by test/helpers/systemd-unit.ts. Throws when it does not parse.
 */
export function readRendered(path: string, content: string): unknown {
  if (path.endsWith('.toml')) return parseToml(content);
  if (path.endsWith('.yaml') || path.endsWith('.yml')) {
    const docs = parseAllDocuments(content, { version: '1.1', uniqueKeys: true });
    if (!Array.isArray(docs)) throw new Error('empty YAML stream');
    for (const d of docs) if (d.errors.length) throw new Error(d.errors[0]!.message);
    return docs.map((d) => d.toJS());
  }
  if (path.startsWith('/etc/cni/net.d/')) return JSON.parse(content);
  if (path.startsWith('/etc/tmpfiles.d/')) return tmpfilesData(content);
  if (path.endsWith('.service') || path.endsWith('.socket')) return unitData(content);
  throw new Error(`no reader for ${path}: add its format to test/helpers/rendered-formats.ts`);
}

/** Every string in a value, keys included, passed through `f`. */
export function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [f(k), mapStrings(v, f)]));
  }
  return value;
}
