import { createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** How OpenSSH names a host in known_hosts: `addr` on port 22, else `[addr]:port`. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** The key type inside an SSH wire-format public key blob (its first string). */
export function keyType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

interface Entry {
  patterns: string;
  type: string;
  key: Buffer;
  revoked: boolean;
}

export type Verdict = { ok: true } | { ok: false; reason: 'unknown' | 'changed' | 'revoked' };

/**
 * OpenSSH's known_hosts, as StrictHostKeyChecking uses it: plain and hashed (`|1|salt|hash`) host
 * patterns, `[host]:port`, negations, `@revoked` keys; `@cert-authority` lines are skipped.
 */
export class KnownHosts {
  constructor(readonly file: string) {}

  private entries(): Entry[] {
    if (!existsSync(this.file)) return [];
    const out: Entry[] = [];
    for (const raw of readFileSync(this.file, 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      let revoked = false;
      if (fields[0]!.startsWith('@')) {
        const marker = fields.shift();
        if (marker === '@cert-authority') continue;
        revoked = marker === '@revoked';
      }
      const [patterns, type, key] = fields;
      if (!patterns || !type || !key) continue;
      out.push({ patterns, type, key: Buffer.from(key, 'base64'), revoked });
    }
    return out;
  }

  verify(address: string, port: number, key: Buffer): Verdict {
    const name = knownHostsName(address, port);
    const mine = this.entries().filter((e) => matches(e.patterns, name));
    if (mine.some((e) => e.revoked && e.key.equals(key))) return { ok: false, reason: 'revoked' };
    const valid = mine.filter((e) => !e.revoked);
    if (valid.some((e) => e.key.equals(key))) return { ok: true };
    return { ok: false, reason: valid.length ? 'changed' : 'unknown' };
  }

  add(address: string, port: number, key: Buffer): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    appendFileSync(this.file, `${knownHostsName(address, port)} ${keyType(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
  }
}

function matches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    return createHmac('sha1', Buffer.from(salt!, 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const re = new RegExp(
      `^${(negated ? p.slice(1) : p)
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\[/g, '\\[')
        .replace(/\]/g, '\\]')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}
