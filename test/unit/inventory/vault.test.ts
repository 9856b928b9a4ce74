import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

/**
 * ansible-vault: fixtures made by the real ansible-vault (see the fixture README), and fresh values
 * encrypted by it during the test; what provision decrypts must be what ansible decrypts.
 */
const dir = 'test/fixtures/inventories/vault';
const pass = join(dir, 'vault-pass.txt');
const prodPass = join(dir, 'vault-pass-prod.txt');
const VARS = ['registry_token', 'plain_setting', 'w2_api_key', 'ansible_become_password', 'w2_port'];

/** The values the real ansible resolves for each host (`ansible all -m debug`, run on the controller). */
function ansibleValues(inventory: string, vaultIds: string[]): Record<string, unknown[]> {
  const msg = `{{ [${VARS.map((v) => `${v}|default(None)`).join(', ')}] }}`;
  const r = spawnSync('ansible', ['all', '-i', inventory, '-o', '-m', 'debug', '-a', `msg=${msg}`, ...vaultIds.flatMap((v) => ['--vault-id', v])], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
  });
  expect(r.status, r.stderr + r.stdout).to.equal(0);
  const out: Record<string, unknown[]> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const m = /^(\S+) \| SUCCESS => (\{.*\})$/.exec(line)!;
    out[m[1]!] = (JSON.parse(m[2]!) as { msg: unknown[] }).msg;
  }
  return out;
}

function provisionValues(inventory: string, args: string[], env: Record<string, string> = {}): Record<string, unknown[]> {
  const r = runCli(['inventory', '-i', inventory, '--list', '--show-secrets', ...args], { env });
  expect(r.code, r.stderr).to.equal(0);
  const hostvars = JSON.parse(r.stdout)._meta.hostvars as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(hostvars).map(([h, vars]) => [h, VARS.map((v) => vars[v] ?? null)]));
}

describe('ansible-vault', function () {
  this.timeout(60_000);

  it('decrypts !vault values (1.1) and whole vault files with a vault id (1.2) as ansible does', () => {
    const theirs = ansibleValues(join(dir, 'hosts'), [pass, `prod@${prodPass}`]);
    expect(theirs.w2![0]).to.equal('s3cr3t-registry-token');
    expect(provisionValues(join(dir, 'hosts'), ['--vault-password-file', pass, '--vault-password-file', prodPass])).to.deep.equal(theirs);
  });

  it('takes ANSIBLE_VAULT_PASSWORD_FILE, and a password script', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'provision-vault-'));
    const script = join(tmp, 'pass.sh');
    writeFileSync(script, `#!/bin/sh\necho 'second-id-password'\n`, { mode: 0o755 });
    const ours = provisionValues(join(dir, 'hosts'), ['--vault-password-file', script], { ANSIBLE_VAULT_PASSWORD_FILE: pass });
    expect(ours.w2!.slice(0, 3)).to.deep.equal(['s3cr3t-registry-token', 'visible', 'w2-key-value']);
  });

  it('masks every decrypted value in inventory --list, and plain values stay', () => {
    const r = runCli(['inventory', '-i', join(dir, 'hosts'), '--host', 'w2', '--vault-password-file', pass, '--vault-password-file', prodPass]);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({
      registry_token: '********',
      plain_setting: 'visible',
      ansible_become_password: '********',
      w2_api_key: '********',
      w2_port: 6443,
    });
    expect(r.stdout + r.stderr).not.to.match(/s3cr3t|w2-key-value|w2-sudo-pass/);
  });

  it('a wrong or missing password is a clear error (exit 3) that shows no secret', () => {
    const wrong = runCli(['inventory', '-i', join(dir, 'hosts'), '--list', '--vault-password-file', join(dir, 'wrong-pass.txt')]);
    expect(wrong.code).to.equal(3);
    expect(wrong.stderr).to.match(/group_vars\/k8s_worker\.yml:\d+:\d+: this !vault value: decryption failed: no vault password given can decrypt it/);
    expect(wrong.stderr).not.to.match(/not the password|s3cr3t/);
    const onlyFirst = runCli(['inventory', '-i', join(dir, 'hosts'), '--list', '--vault-password-file', pass]);
    expect(onlyFirst.code).to.equal(3);
    expect(onlyFirst.stderr).to.match(/host_vars\/w2\.yml: decryption failed \(vault id "prod"\)/);
    const none = runCli(['inventory', '-i', join(dir, 'hosts'), '--list']);
    expect(none.code).to.equal(3);
    expect(none.stderr).to.match(
      /is vault-encrypted, and no vault password was given: use --vault-password-file, --ask-vault-pass or ANSIBLE_VAULT_PASSWORD_FILE/,
    );
  });

  it('decrypts a value ansible-vault encrypts now (vault id, format 1.2), asked with --ask-vault-pass', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'provision-vault-'));
    cpSync(dir, tmp, { recursive: true });
    rmSync(join(tmp, 'host_vars', 'w2.yml'));
    const secret = randomBytes(12).toString('hex');
    const enc = spawnSync('ansible-vault', ['encrypt_string', '--vault-id', `fresh@${join(tmp, 'vault-pass.txt')}`, secret, '--name', 'fresh_secret'], {
      encoding: 'utf8',
    });
    expect(enc.status, enc.stderr).to.equal(0);
    expect(enc.stdout).to.match(/\$ANSIBLE_VAULT;1\.2;AES256;fresh/);
    writeFileSync(join(tmp, 'host_vars', 'w1.yml'), `${enc.stdout}\n`);
    copyFileSync(join(dir, 'hosts'), join(tmp, 'hosts'));
    const r = runCli(['inventory', '-i', join(tmp, 'hosts'), '--host', 'w1', '--show-secrets', '--ask-vault-pass'], {
      input: 'correct horse battery staple\n',
    });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).fresh_secret).to.equal(secret);
  });
});
