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

/** ssh2's host key algorithms in its order of preference, and the key type each verifies. */
const HOST_KEY_ALGORITHMS: [string, string][] = [
  ['ssh-ed25519', 'ssh-ed25519'],
  ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521'],
  ['rsa-sha2-512', 'ssh-rsa'],
  ['rsa-sha2-256', 'ssh-rsa'],
  ['ssh-rsa', 'ssh-rsa'],
];

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

  private entriesFor(address: string, port: number): Entry[] {
    const name = knownHostsName(address, port);
    return this.entries().filter((e) => matches(e.patterns, name));
  }

  /**
   * As OpenSSH's check_host_key: a key is "changed" only when known_hosts holds a different key of
   * the same type for the host; a key of a type it holds none of is unknown (OpenSSH says "a key of
   * a different type is already known"), never a false HOST KEY CHANGED.
   */
  verify(address: string, port: number, key: Buffer): Verdict {
    const mine = this.entriesFor(address, port);
    if (mine.some((e) => e.revoked && e.key.equals(key))) return { ok: false, reason: 'revoked' };
    const valid = mine.filter((e) => !e.revoked);
    if (valid.some((e) => e.key.equals(key))) return { ok: true };
    return { ok: false, reason: valid.some((e) => e.type === keyType(key)) ? 'changed' : 'unknown' };
  }

  /** Key types known_hosts holds for the host (revoked ones left out). */
  typesFor(address: string, port: number): string[] {
    return [
      ...new Set(
        this.entriesFor(address, port)
          .filter((e) => !e.revoked)
          .map((e) => e.type),
      ),
    ];
  }

  /**
   * OpenSSH's order_hostkeyalgs: the algorithms of the key types known_hosts holds for this host go
   * first, so the server shows the key that can be checked, not another type it also has. Undefined
   * (ssh2's default order) when known_hosts holds nothing usable for it.
   */
  hostKeyAlgorithms(address: string, port: number): string[] | undefined {
    const types = new Set(this.typesFor(address, port));
    const first = HOST_KEY_ALGORITHMS.filter(([, type]) => types.has(type)).map(([alg]) => alg);
    if (first.length === 0) return undefined;
    return [...first, ...HOST_KEY_ALGORITHMS.map(([alg]) => alg).filter((alg) => !first.includes(alg))];
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
