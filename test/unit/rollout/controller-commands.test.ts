import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { prepareHost } from '../../helpers/roles.js';

/**
 * The commands run on the controller (drain, uncordon, pods, annotate) are code; the values they
 * splice in are data. Each is run here by the real /bin/sh with a kubectl shell function that
 * prints its arguments one per line: a value must arrive as one whole argument, running nothing.
 */
const argvOf = (command: string) => {
  const r = spawnSync('/bin/sh', ['-c', `kubectl() { printf '%s\\n' "$@"; }\n${command}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout.split('\n').slice(0, -1);
};

describe('controller commands: values reach the shell quoted', () => {
  const hostile = ['5m; touch /tmp/provision-pwned', '$(id)', '`id`', "'", '5m --force', 'a\\b "c"'];

  for (const value of hostile) {
    it(`provision_drain_timeout ${JSON.stringify(value)} is one argument of kubectl drain`, () => {
      const vars = prepareHost({ provision_drain_timeout: value, kubelet_layout: 'kubeadm' }, ['containerd']).vars;
      expect(argvOf(String(vars.provision_drain_command))).to.deep.equal([
        'drain',
        'node1',
        '--ignore-daemonsets',
        '--delete-emptydir-data',
        `--timeout=${value}`,
      ]);
    });
  }

  it('the node name and the CRI socket are single arguments of uncordon, get pods and annotate', () => {
    const vars = prepareHost({ kubelet_layout: 'kubeadm', containerd_socket: '/run/c$HOME;x/containerd.sock' }, ['containerd']).vars;
    expect(argvOf(String(vars.provision_uncordon_command))).to.deep.equal(['uncordon', 'node1']);
    expect(argvOf(String(vars.provision_pods_command))).to.deep.equal([
      'get',
      'pods',
      '--all-namespaces',
      '--field-selector',
      'spec.nodeName=node1',
      '-o',
      'json',
    ]);
    expect(argvOf(String(vars.provision_cri_socket_annotate_command))).to.deep.equal([
      'annotate',
      'node',
      'node1',
      '--overwrite',
      'kubeadm.alpha.kubernetes.io/cri-socket=unix:///run/c$HOME;x/containerd.sock',
    ]);
  });
});
