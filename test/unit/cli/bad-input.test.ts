import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

/** Issue 14 item 6: every bad input is exit 3 (or 5 for usage) with a location, never "internal error". */
describe('bad input: exit code and location, never an internal error', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-bad-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const ok = file('ok.ini', '[w]\nw1\n');
  const role = ['--role', 'install-containerd', '-e', 'kubernetes_version=1.29', '--check'];
  const expectFail = (args: string[], code: number, message: RegExp, env?: Record<string, string>) => {
    const r = runCli(args, env ? { env } : {});
    expect(r.stderr, r.stdout).to.match(message);
    expect(r.stderr).not.to.match(/internal error/);
    expect(r.code, r.stderr).to.equal(code);
  };

  it('a YAML alias bomb is refused with the file named', () => {
    const rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [n, p] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
      ['g', 'f'],
    ])
      rows.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]`);
    const bomb = file('bomb.yml', `${rows.join('\n')}\n`);
    expectFail(['inventory', '-i', ok, '-e', `@${bomb}`, '--list'], 3, /bomb\.yml:\d+:\d+: too many aliases/);
  });

  it('a host range too large for memory is refused with its line', () => {
    expectFail(
      ['inventory', '-i', file('range.ini', '[w]\nw[0:99999999]\n'), '--list'],
      3,
      /range\.ini:2:1: host range \[0:99999999\] names 100000000 hosts, more than the 100000 allowed/,
    );
    // Two ranges in one name multiply.
    expectFail(['inventory', '-i', file('range2.ini', '[w]\nw[0:999]-[0:999]\n'), '--list'], 3, /range2\.ini:2:1: .*names 1000000 hosts/);
  });

  it('a section header missing "]" is refused, as ansible-inventory refuses the file', () => {
    expectFail(['inventory', '-i', file('hdr.ini', '[w]\nw1\n[k8s_worker\nw2\n'), '--list'], 3, /hdr\.ini:3:1: "\[k8s_worker" has "\[" with no closing "\]"/);
  });

  it('ansible_port that is no port is refused, not taken as 22', () => {
    expectFail(
      ['apply', '-i', file('port.ini', '[w]\nw1 ansible_port=abc\n'), ...role],
      3,
      /\[host w1\] \S*port\.ini:2:4: ansible_port must be a port number 1-65535, got "abc"/,
    );
    expectFail(['apply', '-i', file('port2.ini', '[w]\nw1 ansible_port=70000\n'), ...role], 3, /got "70000"/);
  });

  it('an invalid --limit regex is a usage error', () => {
    expectFail(['apply', '-i', ok, '--limit', '~w(', ...role], 5, /invalid regular expression in host pattern "~w\("/);
    // ansible-core drops the unmatched "[" and runs `~`, which matches every host: refused here, never widened.
    expectFail(['apply', '-i', ok, '--limit', '~[', ...role], 5, /host pattern "~\[" has an unmatched "\[": write \[ and \] in pairs/);
    expectFail(['inventory', '-i', ok, '--limit', '~[', '--list'], 5, /host pattern "~\[" has an unmatched "\["/);
    expectFail(['inventory', '-i', ok, '--limit', '~', '--list'], 5, /host pattern "~" has an empty regular expression, which would match every host/);
    expectFail(['inventory', '-i', ok, '--limit', '~[,w1', '--list'], 5, /invalid regular expression in host pattern "~\["/);
  });

  it('-e @missing.yml names the file', () => {
    expectFail(['apply', '-i', ok, '-e', `@${join(dir, 'missing.yml')}`, ...role], 3, /missing\.yml: cannot read .*missing\.yml: ENOENT/);
  });

  it('a missing roles dir names the directory', () => {
    expectFail(['apply', '-i', ok, ...role], 3, /\/nonexistent-roles: roles directory \/nonexistent-roles does not exist/, {
      PROVISION_ROLES_DIR: '/nonexistent-roles',
    });
  });

  it('restore with an empty --limit is refused instead of selecting every host', () => {
    expectFail(['restore', '-i', ok, '--limit', '', '--run', '20261122T104800Z-1a2b3c'], 5, /restore needs a non-empty --limit/);
    expectFail(['restore', '-i', ok, '--limit', '  ', '--run', '20261122T104800Z-1a2b3c'], 5, /restore needs a non-empty --limit/);
  });
});
