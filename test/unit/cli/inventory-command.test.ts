import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

describe('provision inventory', function () {
  this.timeout(60_000);
  const ini = 'inventories/example/hosts.ini';

  it('--list prints ansible-inventory JSON restricted by --limit', () => {
    const r = runCli(['inventory', '-i', ini, '--list', '--limit', '~worker9[89]']);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out._meta.hostvars)).to.deep.equal(['worker98', 'worker99']);
    expect(out.all).to.deep.equal({ children: ['ungrouped', 'k8s'] });
    expect(out.k8s).to.deep.equal({ children: ['k8s_worker'] });
    expect(out.k8s_worker).to.deep.equal({ hosts: ['worker98', 'worker99'] });
    expect(out._meta.hostvars.worker99).to.include({ ansible_port: 2222, cluster_name: 'prod-eu1', kubernetes_version: '1.26' });
  });

  it('masks secrets unless --show-secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-'));
    writeFileSync(join(dir, 'hosts'), '[g]\nh ansible_become_password=hunter2 api_token=abc\n');
    const masked = JSON.parse(runCli(['inventory', '-i', join(dir, 'hosts'), '--host', 'h']).stdout);
    expect(masked).to.deep.equal({ ansible_become_password: '********', api_token: '********' });
    const shown = JSON.parse(runCli(['inventory', '-i', join(dir, 'hosts'), '--host', 'h', '--show-secrets']).stdout);
    expect(shown.ansible_become_password).to.equal('hunter2');
  });

  it('--graph prints the group tree', () => {
    const r = runCli(['inventory', '-i', 'inventories/example/yaml', '--graph']);
    expect(r.stdout).to.equal(
      [
        '@all:',
        '  |--@ungrouped:',
        '  |--@k8s:',
        '  |  |--@k8s_worker:',
        '  |  |  |--worker96',
        '  |  |  |--worker97',
        '  |  |  |--worker98',
        '  |  |  |--worker99',
        '',
      ].join('\n'),
    );
  });

  it('exits 3 with file:line:col for a malformed inventory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-'));
    writeFileSync(join(dir, 'hosts'), '[g]\nh1 ok=1 broken\n');
    const r = runCli(['inventory', '-i', join(dir, 'hosts')]);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.equal(`error: ${dir}/hosts:2:9: expected key=value host variable assignment, got "broken"\n`);
  });

  it('exits 3 for a pattern that matches nothing, with a suggestion', () => {
    const r = runCli(['inventory', '-i', ini, '--limit', 'worker100']);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.match(/"worker100" matches no host or group; did you mean "worker96"/);
  });

  it('exits 5 for bad command-line usage', () => {
    expect(runCli(['inventory', '-i', ini, '--bogus']).code).to.equal(5);
    expect(runCli(['inventory']).code).to.equal(5);
    expect(runCli(['inventory', '-i', ini, '--list', '--graph']).code).to.equal(5);
    expect(runCli(['nonsense']).code).to.equal(5);
  });

  it('exits 0 for --help', () => {
    const r = runCli(['--help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/Usage: provision/);
  });
});
