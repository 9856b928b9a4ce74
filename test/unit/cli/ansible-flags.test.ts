import { expect } from 'chai';
import { runCli } from '../../helpers/cli.js';

/** The flags Ansible users type, on a host list (`-i 'h1,'`), stopping before any connection. */
describe('Ansible flags: --tags, --skip-tags, --list-tasks, --start-at-task, --list-hosts, --help', function () {
  this.timeout(60_000);
  const base = ['apply', '-i', 'h1,h2,', '-e', 'kubernetes_version=1.29'];
  const tasks = (out: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith('    '))
      .map((l) => l.trim().split('\t')[0]);

  it('--tags takes role names, aliases and role-<name>; --skip-tags leaves roles out', () => {
    const r = runCli([...base, '--tags', 'role-runc,install-cni', '-t', 'role-containerd', '--skip-tags', 'cni', '--list-tasks']);
    expect(r.code, r.stderr).to.equal(0);
    const roles = new Set(tasks(r.stdout).map((t) => t!.split(' : ')[0]));
    expect([...roles]).to.have.members(['install-runc', 'install-containerd']);
    expect(r.stdout).to.match(/TAGS: \[install-containerd, containerd, role-install-containerd, role-containerd\]/);
  });

  it('--start-at-task skips the tasks before it; an unknown task is a usage error', () => {
    const all = tasks(runCli([...base, '--tags', 'cni', '--list-tasks']).stdout).slice(0, 6);
    const third = all[2]!.split(' : ')[1]!;
    const r = runCli([...base, '--tags', 'cni', '--start-at-task', third, '--list-tasks']);
    expect(r.code, r.stderr).to.equal(0);
    expect(tasks(r.stdout).slice(0, 4)).to.deep.equal(all.slice(2, 6));
    const bad = runCli([...base, '--tags', 'cni', '--start-at-task', 'No such task', '--list-tasks']);
    expect(bad.code).to.equal(5);
    expect(bad.stderr).to.match(/no selected host has a task named "No such task"/);
  });

  it('--list-hosts prints the selected hosts as ansible-playbook does', () => {
    const r = runCli([...base, '--tags', 'runc', '--limit', 'h2', '--list-hosts']);
    expect(r.stdout).to.equal('  hosts (1):\n    h2\n');
  });

  it('--help groups connection and privilege escalation options as Ansible does', () => {
    const r = runCli(['apply', '--help']);
    expect(r.stdout).to.match(/Connection Options:\n(.*\n)*? {2}--private-key <file>(.*\n)*? {2}-u, --user <name>(.*\n)*? {2}-T, --timeout <seconds>/);
    expect(r.stdout).to.match(/Privilege Escalation Options:\n(.*\n)*? {2}-b, --become(.*\n)*? {2}--become-user <name>(.*\n)*? {2}-K, --ask-become-pass/);
  });
});

describe('Ansible variables provision does not support', function () {
  this.timeout(60_000);
  const base = ['apply', '-e', 'kubernetes_version=1.29', '--tags', 'runc', '--list-hosts'];

  it('refuses SSH passwords and other connection plugins before connecting (exit 3)', () => {
    const pass = runCli([...base, '-i', 'h1,', '-e', 'ansible_password=x']);
    expect(pass.code).to.equal(3);
    expect(pass.stderr).to.match(/host h1: ansible_password is not supported: SSH password login/);
    const winrm = runCli([...base, '-i', 'h1,', '-e', 'ansible_connection=winrm']);
    expect(winrm.code).to.equal(3);
    expect(winrm.stderr).to.match(/ansible_connection=winrm is not supported/);
  });

  it('warns about the ones it ignores, and about ssh args other than -J/ProxyJump/-F', () => {
    const r = runCli([...base, '-i', 'h1,', '-e', 'ansible_python_interpreter=/usr/bin/python3', '-e', "ansible_ssh_common_args='-J b1 -o Compression=yes'"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('[WARNING]: h1: ansible_python_interpreter is ignored: provision runs POSIX sh on nodes, no Python');
    expect(r.stderr).to.contain('[WARNING]: h1: ansible_ssh_common_args "-o Compression=yes" is ignored');
  });
});
