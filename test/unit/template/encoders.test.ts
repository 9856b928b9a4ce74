import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { maskSecrets, maskUrlCredentials } from '../../../src/core/secrets.js';
import { pathProblem, registryProblem } from '../../../src/roles/value-types.js';
import { systemdArg, systemdExec, tomlValue, yamlString } from '../../../src/template/encoders.js';
import { parse as parseYaml } from 'yaml';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
const render = (extra: Record<string, unknown>, ...more: string[]) =>
  cli('render', '-i', 'inventories/example/hosts.ini', '--limit', 'worker99', '-e', JSON.stringify(extra), ...more);

describe('encoders and value types', () => {
  it('TOML: control characters escaped and read back intact; non-finite floats valid; integers past 2^53 refused', () => {
    const s = 'a\u0000b\u007f"\\\n\t\u2028';
    expect(parseToml(`k = ${tomlValue(s)}\nf = ${tomlValue(Infinity)}\nn = ${tomlValue(NaN)}`)).to.deep.include({ k: s, f: Infinity });
    expect(() => tomlValue(2 ** 53 + 2)).to.throw(/beyond 2\^53/);
  });
  it('YAML scalars read back intact, NEL and U+2028 escaped', () => {
    const s = 'x\u0085y\u2028z: "#';
    expect(parseYaml(`k: ${yamlString(s)}`)).to.deep.equal({ k: s });
  });
  it('systemd arguments: %, $ doubled; whitespace quoted into one argument', () => {
    expect(systemdArg('--node-ip=10.0.0.9 --network-plugin=cni')).to.equal('"--node-ip=10.0.0.9 --network-plugin=cni"');
    expect(systemdArg('50%$HOME')).to.equal('50%%$$HOME');
    expect(() => systemdArg('a\nExecStartPre=/bin/x')).to.throw();
  });
  it('systemd program path: % doubled, $ literal (systemd substitutes no variable there), argv[0] given after "@"', () => {
    expect(systemdExec('/usr/local/bin/containerd')).to.equal('/usr/local/bin/containerd');
    expect(systemdExec('/opt/50%/bin')).to.equal('/opt/50%%/bin');
    expect(systemdExec('/opt/$HOME;x/bin')).to.equal('@"/opt/$HOME;x/bin" "/opt/$$HOME;x/bin"');
  });
  it('paths and registries', () => {
    expect(pathProblem('/bin/true; touch /tmp/x; true ')).to.match(/whitespace/);
    expect(pathProblem('/etc/../x')).to.match(/\.\./);
    expect(pathProblem('/etc//x')).to.match(/normalised/);
    expect(pathProblem('/usr/local/bin')).to.equal(undefined);
    expect(registryProblem('../../systemd/system')).to.match(/host\[:port\]/);
    expect(registryProblem('registry.example:5000')).to.equal(undefined);
  });
  it('secrets: every Ansible password spelling and URL credentials', () => {
    const vars = {
      ansible_password: 'p1',
      ansible_ssh_pass: 'p2',
      ansible_become_pass: 'p3',
      ansible_become_password: 'p4',
      ansible_sudo_pass: 'p5',
      download_base_url: 'https://u:hunter2@mirror/x',
    };
    const text = JSON.stringify(maskSecrets(vars));
    for (const p of ['p1', 'p2', 'p3', 'p4', 'p5', 'hunter2']) expect(text).not.to.include(`"${p}`).and.not.to.include(`:${p}@`);
    expect(maskUrlCredentials('get https://u:hunter2@mirror/x')).to.equal('get https://u:***@mirror/x');
  });
});

describe('the exploits of issue 14, through the CLI', () => {
  it('shell through validate (containerd_bin_dir) is exit 3 naming the variable', () => {
    const r = render({ containerd_bin_dir: '/bin/true; touch /tmp/x; true ' });
    expect(r.status).to.equal(3);
    expect(r.stderr).to.include('variable containerd_bin_dir');
  });
  for (const [name, value] of [
    ['containerd_config_file', '/etc/c.toml\nExecStartPost=/bin/x'],
    ['dockershim_socket_path', '/run/x\nR /var/lib/kubelet'],
    ['containerd_socket', '/run/c.sock\nx: y'],
    ['kubelet_flags', { 'node-ip': '1\nExecStartPre=/bin/x' }],
    ['containerd_registry_mirrors', { '../../systemd/system': ['https://m'] }],
    ['containerd_registry_mirrors', { 'docker.io\nserver = "x"': ['https://m'] }],
    ['containerd_runtimes', ['runc', { name: 'kata', runtime_type: 'io.containerd.kata.v2', runtime_class: 'k\nspec: x' }]],
  ] as const) {
    it(`${name}=${JSON.stringify(value)} is exit 3`, () => {
      const r = render({ [name]: value, containerd_default_runtime: 'runc' });
      expect(r.status, r.stderr).to.equal(3);
      expect(r.stderr).to.include(name);
    });
  }
  it('a space, $ and % in a flag value stay inside that one ExecStart argument', () => {
    const r = render({ kubelet_flags: { 'node-ip': '10.0.0.9 --network-plugin=cni $HOME 50%' } });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('"--node-ip=10.0.0.9 --network-plugin=cni $$HOME 50%%"');
  });
  it('render --out refuses a host name that would leave DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-out-'));
    const inv = join(dir, 'hosts.ini');
    writeFileSync(inv, "[k8s_worker]\n../../escaped\n[k8s_worker:vars]\nkubernetes_version='1.29'\nprovision_roles=['containerd']\nprovision_node_name=w1\n");
    const r = cli('render', '-i', inv, '--out', join(dir, 'out'));
    expect(r.status, r.stderr).to.equal(3);
    expect(r.stderr).to.include('not a safe directory name');
    expect(readdirSync(dir).sort()).to.deep.equal(['hosts.ini']);
  });
  it('inventory --list masks every password spelling', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-inv-'));
    const inv = join(dir, 'hosts.ini');
    writeFileSync(inv, 'w1 ansible_ssh_pass=s3cret1 ansible_become_pass=s3cret2 ansible_sudo_pass=s3cret3 download_base_url=https://u:s3cret4@m\n');
    const r = cli('inventory', '-i', inv, '--list');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).not.to.match(/s3cret/);
    expect(readFileSync(inv, 'utf8')).to.include('s3cret1');
  });
});
