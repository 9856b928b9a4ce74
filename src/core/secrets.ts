/**
 * Secrets never print: connection passwords under every Ansible spelling, and the credentials of
 * URLs (`https://user:***@host`). Masking happens where text leaves provision (inventory output,
 * progress, errors, reports), so a secret that reached a message by any path is still hidden.
 */

/** ansible_password, ansible_ssh_pass, ansible_become_pass(word), ansible_sudo_pass, *_token, *secret*, ... */
const SECRET_NAME = /(password|passwd|passphrase|secret|token|(^|_)pass($|_)|private_key_passphrase)/i;

export const MASK = '********';

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `scheme://user:password@` -> `scheme://user:***@` (the password part only; a user name alone is kept). */
export function maskUrlCredentials(text: string): string {
  // Every event's every string passes here: most hold no URL, and a scan for "://" is far cheaper than the pattern.
  if (!text.includes('://')) return text;
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]*):([^\s/@]*)@/gi, '$1$2:***@');
}

/** A deep copy with secret-named values replaced and URL credentials masked in every string. */
export function maskSecrets<T>(value: T, name = ''): T {
  if (name && isSecretName(name) && value !== null && value !== undefined && value !== '') return MASK as T;
  if (typeof value === 'string') return maskUrlCredentials(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, k);
    return out as T;
  }
  return value;
}
