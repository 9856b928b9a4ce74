import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { localRole } from '../helpers/local-role.js';

/** What a terminal acts on besides \n and \t: C0, DEL, C1, bidi controls, line separators. */
const TERMINAL_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A value encrypted by the real ansible-vault, as a YAML `!vault` scalar. */
function vaulted(passFile: string, plain: string, indent: string): string {
  const r = spawnSync('ansible-vault', ['encrypt_string', '--vault-password-file', passFile, plain], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l, i) => (i === 0 ? l : `${indent}${l.trim()}`))
    .join('\n');
}

/**
 * The real CLI over a local-connection host (this machine), as an operator runs it: a command task
 * prints ESC[2J and an OSC title on stdout and stderr, files are written from vaulted values nested in
 * maps (a `!vault` value and a whole vaulted vars file), with --diff, --report, --report-html and a
 * retry file that cannot be written.
 */
describe('what the CLI shows and writes: text only, secrets masked (local connection)', function () {
  this.timeout(300_000);
  // A quote inside the secret: JSON writes it escaped, and that form is masked too.
  const SECRET = 'n0de-l4bel"s3cret';
  const FILE_SECRET = 'whole-file-s3cret';
  const role = localRole('noisy', (root) => [
    'description: writes files from secrets, then a command paints the terminal',
    'variables:',
    '  noisy_port: { type: integer, default: 1, description: a number }',
    '  kubelet_flags: { type: map, default: {}, description: flags }',
    '  registry_auth: { type: map, default: {}, description: credentials }',
    'tasks:',
    `  - name: labels\n    copy: { content: "{{ json kubelet_flags }}\\nauth={{ registry_auth.password }}\\n", dest: "${root}/labels" }`,
    `  - name: paint\n    command: { cmd: "printf 'out\\\\033[2J\\\\033]0;owned\\\\007\\\\302\\\\233x'; printf 'err\\\\033[2J\\\\342\\\\200\\\\256' >&2; exit 1" }`,
  ]);
  const pass = join(role.root, 'vault-pass');
  writeFileSync(pass, 'test-vault-password\n');
  mkdirSync(join(role.root, 'host_vars'));
  mkdirSync(join(role.root, 'group_vars'));
  writeFileSync(join(role.root, 'host_vars', 'local.yml'), `kubelet_flags:\n  node-labels: ${vaulted(pass, SECRET, '    ')}\n`);
  writeFileSync(join(role.root, 'group_vars', 'all.yml'), `registry_auth:\n  user: u\n  password: ${FILE_SECRET}\n`);
  expect(spawnSync('ansible-vault', ['encrypt', '--vault-password-file', pass, join(role.root, 'group_vars', 'all.yml')]).status).to.equal(0);
  const vault = ['--vault-password-file', pass];
  const noSecret = (text: string, what: string) => {
    for (const s of [SECRET, FILE_SECRET, JSON.stringify(SECRET).slice(1, -1)]) expect(text, `${what} holds ${s}`).not.to.include(s);
  };

  it('a run: no control character on stdout or stderr, no secret in output, diff or report; reports 0600; retry file a warning', () => {
    const report = join(role.root, 'run.json');
    const html = join(role.root, 'run.html');
    const args = ['-i', role.hosts, ...vault, '--diff', '-v', '--report', report, '--report-html', html, '--retry-file', join(role.root, 'no-dir', 'retry')];
    const r = runCli(args, { env: role.env });
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(TERMINAL_CONTROL.test(r.stdout), r.stdout).to.equal(false);
    expect(TERMINAL_CONTROL.test(r.stderr), r.stderr).to.equal(false);
    // What the node printed is there, as visible escapes.
    expect(r.stdout).to.include('out\\x1b[2J\\x1b]0;owned\\x07\\u009bx').and.include('err\\x1b[2J\\u202e');
    // The file was written with the secrets (the node has them); what is shown of it is masked.
    expect(readFileSync(join(role.root, 'labels'), 'utf8')).to.include(FILE_SECRET);
    expect(r.stdout).to.include('auth=********').and.include('"node-labels":"********"');
    noSecret(r.stdout + r.stderr, 'the terminal');
    noSecret(readFileSync(report, 'utf8'), 'the JSON report');
    noSecret(readFileSync(html, 'utf8'), 'the HTML report');
    expect(statSync(report).mode & 0o777).to.equal(0o600);
    expect(statSync(html).mode & 0o777).to.equal(0o600);
    expect(r.stderr).to.match(/\[WARNING\]: cannot write the retry file \S+no-dir\/retry \(ENOENT\); the hosts to retry: --limit local/);
    expect(r.stderr).not.to.include('internal error');
    const page = join(role.root, 'again.html');
    const again = runCli(['report', report, '--html', page]);
    expect(again.code, again.stderr).to.equal(0);
    expect(statSync(page).mode & 0o777).to.equal(0o600);
  });

  it('inventory --host and --list mask vault values nested in maps; --show-secrets shows them', () => {
    for (const mode of [['--host', 'local'], ['--list']]) {
      const r = runCli(['inventory', '-i', role.hosts, ...vault, ...mode]);
      expect(r.code, r.stderr).to.equal(0);
      noSecret(r.stdout, `inventory ${mode[0]}`);
      const vars = mode[0] === '--host' ? JSON.parse(r.stdout) : JSON.parse(r.stdout)._meta.hostvars.local;
      expect(vars.kubelet_flags).to.deep.equal({ 'node-labels': '********' });
      expect(vars.registry_auth).to.deep.equal({ user: '********', password: '********' });
    }
    const shown = runCli(['inventory', '-i', role.hosts, ...vault, '--host', 'local', '--show-secrets']);
    expect(JSON.parse(shown.stdout).kubelet_flags['node-labels']).to.equal(SECRET);
  });

  it('a refused value that is a secret is named, not shown (exit 3)', () => {
    writeFileSync(join(role.root, 'host_vars', 'local.yml'), `noisy_port: ${vaulted(pass, 'port-s3cret', '  ')}\n`);
    const r = runCli(['-i', role.hosts, ...vault, '--retry-file', ''], { env: role.env });
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr)
      .to.match(/noisy_port/)
      .and.include('********');
    expect(r.stderr).not.to.include('port-s3cret');
  });
});
