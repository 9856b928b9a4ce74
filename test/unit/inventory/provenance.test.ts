import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorList, ValidationError } from '../../../src/core/errors.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import { parseExtraVars } from '../../../src/inventory/extra-vars.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { originOf } from '../../../src/inventory/provenance.js';
import { runCli } from '../../helpers/cli.js';
import { thrown } from '../../helpers/inventory.js';

/** Issue 14 item 1: a refused value's error names the variable and the file:line:col where it was set. */
describe('variable provenance: a refused value points where it was set', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-provenance-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
    return join(dir, path);
  };
  const hosts = write('inv/hosts', '[k8s_worker]\nw1 runc_binary=relative\nw2\n\n[k8s_worker:vars]\ncni_bin_dir=/opt/cni/../bin\n');
  write('inv/group_vars/all.yml', '---\n# shared\ncni_conf_dir: "/etc/cni/net.d\\n"\n');
  write('inv/host_vars/w2/10-a.yml', 'runc_binary: /usr/local/sbin/runc\n');
  write('inv/host_vars/w2/20-b.yml', 'x: 1\nrunc_binary: "/x;$(touch y)/ ok"\n');
  const yamlHosts = write('yinv/hosts.yml', 'k8s_worker:\n  hosts:\n    y1:\n      containerd_socket: "/run/a b"\n  vars:\n    cni_bin_dir: bin\n');
  const extraFile = write('extra.yml', 'a: 1\nkubelet_binary: "kubelet"\n');

  const errorsOf = (inventory: string, extra: string[] = []) => {
    const e = thrown(() =>
      prepareRun({ inventory, roles: ['runc', 'cni', 'containerd', 'kubelet'], extraVars: parseExtraVars(['kubernetes_version=1.29', ...extra]) }),
    );
    const list = e instanceof ErrorList ? e.errors : [e];
    for (const x of list) expect(x).to.be.instanceOf(ValidationError);
    return list.map((x) => {
      const v = x as ValidationError;
      return `${v.host} ${v.location} ${v.message.replace(/:.*/, '')}`;
    });
  };

  it('INI host and group vars, group_vars and host_vars files (the winning file of a directory)', () => {
    expect(errorsOf(hosts)).to.have.members([
      `w1 ${hosts}:2:4 variable runc_binary`,
      `w1 ${hosts}:6:1 variable cni_bin_dir`,
      `w1 ${join(dir, 'inv/group_vars/all.yml')}:3:1 variable cni_conf_dir`,
      `w2 ${join(dir, 'inv/host_vars/w2/20-b.yml')}:2:1 variable runc_binary`,
      `w2 ${hosts}:6:1 variable cni_bin_dir`,
      `w2 ${join(dir, 'inv/group_vars/all.yml')}:3:1 variable cni_conf_dir`,
    ]);
  });

  it('YAML inventory host and group vars', () => {
    expect(errorsOf(yamlHosts)).to.have.members([`y1 ${yamlHosts}:6:5 variable cni_bin_dir`, `y1 ${yamlHosts}:4:7 variable containerd_socket`]);
  });

  it('-e key=value (the n-th -e, its column), -e JSON and -e @file; -e wins over the inventory', () => {
    const ok = write('ok.ini', '[k8s_worker]\nw1 cni_bin_dir=/opt/cni/bin\n');
    expect(errorsOf(ok, ['x=1 cni_bin_dir=bin', '{"runc_binary": "r"}', `@${extraFile}`])).to.have.members([
      'w1 -e:2:5 variable cni_bin_dir',
      'w1 -e:3:2 variable runc_binary',
      `w1 ${extraFile}:2:1 variable kubelet_binary`,
    ]);
  });

  it('a value from a role default points at the role file that declares it', () => {
    const roles = write('roles/variables.yaml', 'variables:\n  kubernetes_version:\n    type: version\n    description: k\n');
    write(
      'roles/demo/role.yaml',
      'description: d\nvariables:\n  demo_dir:\n    type: path\n    default: "relative/dir"\n    description: d\ntasks:\n  - name: t\n    file: { path: /tmp/x, state: absent }\n',
    );
    mkdirSync(join(dir, 'templates'), { recursive: true });
    const e = thrown(() =>
      prepareRun({
        inventory: write('d.ini', "h1\n[all:vars]\nkubernetes_version='1.29'\n"),
        roles: ['demo'],
        rolesDir: join(roles, '..'),
        templateDir: join(dir, 'templates'),
      }),
    ) as unknown as ValidationError;
    expect(e.location).to.equal(`${join(dir, 'roles/demo/role.yaml')}:3:3`);
    expect(e.message).to.match(/^variable demo_dir: expected an absolute path/);
  });

  it('origins follow Ansible precedence without changing the values (inventory --list is the same)', () => {
    const inv = loadInventory(hosts);
    const vars = inv.hostVars('w2');
    expect(vars.runc_binary).to.equal('/x;$(touch y)/ ok');
    expect(originOf(vars, 'runc_binary')?.file).to.equal(join(dir, 'inv/host_vars/w2/20-b.yml'));
    expect(originOf(vars, 'inventory_hostname')).to.equal(undefined);
    expect(Object.keys(vars)).to.not.include('ansible_group_priority');
  });

  it('the CLI prints host, file:line:col and the variable, exit 3', () => {
    const r = runCli(['render', '-i', hosts, '--limit', 'w1', '--role', 'runc', '-e', 'kubernetes_version=1.29']);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.include(`error: w1: ${hosts}:2:4: variable runc_binary: expected an absolute path, got "relative"`);
  });
});
