import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { InventoryError, UsageError } from '../core/errors.js';
import { useVaultDecryption } from '../core/yaml11-tags.js';
import { registerSecret } from '../core/secrets.js';

/**
 * ansible-vault's AES256 format (ansible-core `parsing/vault/__init__.py`, VaultAES256):
 * `$ANSIBLE_VAULT;1.1;AES256` (or `;1.2;AES256;<vault-id>`), then hex lines of
 * hex(salt) \n hex(hmac) \n hex(ciphertext). Keys: PBKDF2-HMAC-SHA256(password, salt, 10000
 * rounds, 80 bytes) = 32-byte AES key, 32-byte HMAC key, 16-byte CTR IV; the HMAC-SHA256 of the
 * ciphertext is checked before decrypting; the plaintext carries PKCS#7 padding.
 */
const HEADER = /^\$ANSIBLE_VAULT;(1\.[12]);AES256(?:;([^\s;]+))?\s*$/;

/** The passwords of this run (`--vault-password-file`, `--ask-vault-pass`, ANSIBLE_VAULT_PASSWORD_FILE). */
const passwords: string[] = [];

export function useVaultPasswords(list: string[]): void {
  passwords.splice(0, passwords.length, ...list);
}

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith('$ANSIBLE_VAULT;');
}

/** Decrypts a vault text with the run's passwords; the error never holds plaintext or password. */
export function decryptVault(text: string, where: string): string {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) throw new InventoryError(`${where}: not an ansible-vault AES256 text (header "${(lines[0] ?? '').slice(0, 40)}")`);
  const vaultId = header[2] ? ` (vault id "${header[2]}")` : '';
  if (passwords.length === 0) {
    throw new InventoryError(
      `${where}: is vault-encrypted${vaultId}, and no vault password was given: use --vault-password-file, --ask-vault-pass or ANSIBLE_VAULT_PASSWORD_FILE`,
    );
  }
  const [salt, hmac, cipher] = Buffer.from(lines.slice(1).join(''), 'hex')
    .toString('latin1')
    .split('\n')
    .map((h) => Buffer.from(h, 'hex'));
  if (!salt?.length || !hmac?.length || !cipher?.length) throw new InventoryError(`${where}: the vault text is damaged`);
  for (const password of passwords) {
    const key = pbkdf2Sync(password, salt, 10000, 80, 'sha256');
    const mac = createHmac('sha256', key.subarray(32, 64)).update(cipher).digest();
    if (mac.length !== hmac.length || !timingSafeEqual(mac, hmac)) continue;
    const decipher = createDecipheriv('aes-256-ctr', key.subarray(0, 32), key.subarray(64, 80));
    const padded = Buffer.concat([decipher.update(cipher), decipher.final()]);
    const pad = padded[padded.length - 1] ?? 0;
    const plain = padded.subarray(0, padded.length - pad).toString('utf8');
    // Every value decrypted in this run is a secret, masked wherever text is shown (core/secrets.ts).
    registerSecret(plain);
    return plain;
  }
  throw new InventoryError(`${where}: decryption failed${vaultId}: no vault password given can decrypt it (wrong password?)`);
}

/**
 * A password file as Ansible reads it (FileVaultSecret): its content, stripped; an executable file
 * is run and its output, stripped, is the password (a vault password script).
 */
export function readVaultPasswordFile(file: string): string {
  let out: string;
  try {
    if (isExecutable(file)) out = execFileSync(file, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    else out = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read vault password file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'script failed'}`, { file });
  }
  const password = out.trim();
  if (!password) throw new UsageError(`vault password file ${file} is empty`, { file });
  return password;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// YAML's `!vault` tag (core/yaml11-tags.ts) decrypts with this vault's passwords.
useVaultDecryption(decryptVault);
