/**
 * Secrets never print: connection passwords under every Ansible spelling, the credentials of
 * URLs (`https://user:***@host`), and every value decrypted from ansible-vault wherever it sits
 * (nested in a map or list, or inside a value built from it). Masking happens where text leaves
 * provision (inventory output, progress, errors, reports), so a secret that reached a message by
 * any path is still hidden.
 */

/** ansible_password, ansible_ssh_pass, ansible_become_pass(word), ansible_sudo_pass, *_token, *secret*, ... */
const SECRET_NAME = /(password|passwd|passphrase|secret|token|(^|_)pass($|_)|private_key_passphrase)/i;

export const MASK = '********';

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The secret texts of this run: values decrypted from a vault, and values built from them. Each is
 * masked as it is written and as JSON writes it (a quote or a line break inside it escaped), so a
 * secret inside a message, a diff or a JSON report is found too. A secret shorter than
 * SUBSTRING_MIN (a whole vaulted file's `user: u`, `enabled: yes`) is masked where a value is it,
 * not inside other text, where it would mask every `u` of every message.
 */
const SUBSTRING_MIN = 4;
const secrets = new Set<string>();
/** The substring pattern of `secrets`: undefined until built, null when no secret is long enough. */
let pattern: RegExp | null | undefined;

/** Marks `text` as a secret of this run. */
export function registerSecret(text: string): void {
  if (text === '' || secrets.has(text)) return;
  secrets.add(text);
  pattern = undefined;
}

/** Marks every string in a value (a decrypted vars file, a value built from a secret) as a secret. */
export function registerSecrets(value: unknown): void {
  if (typeof value === 'string') registerSecret(value);
  else if (Array.isArray(value)) value.forEach(registerSecrets);
  else if (value && typeof value === 'object') Object.values(value).forEach(registerSecrets);
}

/**
 * Marks a value built from a secret: each of its strings that no longer shows the secret's text (shell
 * quoting, an encoder) becomes a secret itself; one that still shows it is masked where the secret is.
 */
export function registerDerived(value: unknown): void {
  if (typeof value === 'string') {
    if (!holdsSecret(value)) registerSecret(value);
  } else if (Array.isArray(value)) value.forEach(registerDerived);
  else if (value && typeof value === 'object') Object.values(value).forEach(registerDerived);
}

/** Forgets every secret: for a process (a library user, a test) that loads one inventory after another. */
export function forgetSecrets(): void {
  secrets.clear();
  pattern = undefined;
}

/** Whether a value holds a secret anywhere (a string of it, or a string containing one). */
export function holdsSecret(value: unknown): boolean {
  if (secrets.size === 0) return false;
  if (typeof value === 'string') return maskVaulted(value) !== value;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (value && typeof value === 'object') return Object.values(value).some(holdsSecret);
  return false;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function secretPattern(): RegExp | undefined {
  if (secrets.size === 0) return undefined;
  if (pattern === undefined) {
    const forms = new Set<string>();
    for (const s of secrets) if (s.length >= SUBSTRING_MIN) forms.add(s).add(JSON.stringify(s).slice(1, -1));
    // Longest first: a secret that holds another is masked whole.
    const sorted = [...forms].filter(Boolean).sort((a, b) => b.length - a.length);
    pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : null;
  }
  return pattern ?? undefined;
}

function maskVaulted(text: string): string {
  if (secrets.has(text)) return MASK;
  const p = secretPattern();
  return p ? text.replace(p, MASK) : text;
}

/** `scheme://user:password@` -> `scheme://user:***@` (the password part only; a user name alone is kept). */
export function maskUrlCredentials(text: string): string {
  // Most text holds no URL: the scan below is for what does.
  if (!text.includes('://')) return text;
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]*):([^\s/@]*)@/gi, '$1$2:***@');
}

/** Text with this run's secrets and URL credentials masked. */
export function maskText(text: string): string {
  return maskUrlCredentials(maskVaulted(text));
}

/**
 * The value with secret-named values replaced and secrets and URL credentials masked in every string:
 * a copy where anything was masked, the value itself (and each part of it that holds nothing to mask)
 * otherwise. Every event of a run passes through here, half a million at 10,000 hosts, nearly all
 * with nothing to mask: copying each would be garbage the size of the run's events.
 */
export function maskSecrets<T>(value: T, name = ''): T {
  if (name && isSecretName(name) && value !== null && value !== undefined && value !== '') return MASK as T;
  if (typeof value === 'string') return maskText(value) as T;
  if (Array.isArray(value)) {
    const masked = value.map((v) => maskSecrets(v));
    return (masked.some((v, i) => v !== value[i]) ? masked : value) as T;
  }
  if (value && typeof value === 'object') {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const m = maskSecrets(v, k);
      if (m !== v) out ??= { ...(value as Record<string, unknown>) };
      if (out) out[k] = m;
    }
    return (out ?? value) as T;
  }
  return value;
}
