import { declaredBy } from '../../helpers/roles.js';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { DOCKER_STATIC_BINARIES, detectDockerLayout, detectKubeletLayout } from '../../../src/domain/node-layouts.js';
import { parseNodeFacts } from '../../../src/domain/node-layouts-probe.js';
import { podsMountingDockerSocket, preflightProblems } from '../../../src/domain/preflight-checks.js';

// What the probe prints on the layouts of test/fleet/layouts.ts (recorded shape).
const KUBEADM_NODE = [
  'pkg docker.io ii ',
  'pkg containerd ii ',
  'pkg runc ii ',
  'kubelet LoadState=loaded',
  'kubelet FragmentPath=/lib/systemd/system/kubelet.service',
  'kubelet DropInPaths=/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
  'dropin yes yes /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
  'kubelet-binary /usr/bin/kubelet',
  'cri-unit cri-docker.service',
  'cri-unit cri-docker.socket',
  'cri-binary /usr/bin/cri-dockerd',
  'docker-group docker:x:998:',
  'fetcher curl',
  'free 51200000 /var',
  'cgroupfs tmpfs',
  'runc /usr/sbin/runc',
].join('\n');
const STATIC_NODE = [
  'pkg docker.io un ',
  'dockerd-static',
  'kubelet LoadState=loaded',
  'kubelet FragmentPath=/etc/systemd/system/kubelet.service',
  'kubelet-binary /usr/local/bin/kubelet',
  'docker-user docker:x:666:666::/nonexistent:/usr/sbin/nologin',
  'docker-group docker:x:666:',
  'primary-of alice',
  'docker-procs 0',
  'fetcher none',
  'free 10240 /var',
  'cgroupfs cgroup2fs',
  'runc /usr/local/sbin/runc',
].join('\n');

describe('node layouts: detection from the probe and the preflight checks', () => {
  it('detects kubeadm with cri-dockerd on distro Docker', () => {
    const f = parseNodeFacts(KUBEADM_NODE);
    expect(detectDockerLayout(f)).to.equal('packages');
    expect(detectKubeletLayout(f)).to.deep.include({ layout: 'kubeadm', dropIn: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf' });
    expect(f.criDockerd).to.deep.equal({ units: ['cri-docker.service', 'cri-docker.socket'], binaries: ['/usr/bin/cri-dockerd'] });
    expect(
      preflightProblems(
        f,
        { kubernetes_version: '1.29', kubelet_layout: 'kubeadm', runc_binary: '/usr/sbin/runc' },
        declaredBy(['remove-docker', 'install-containerd', 'kubelet-config']),
      ),
    ).to.deep.equal([]);
  });

  it('detects static Docker (a removed package is not installed) and refuses what would break it, each with a way on', () => {
    const f = parseNodeFacts(STATIC_NODE);
    expect(detectDockerLayout(f)).to.equal('static');
    expect(detectKubeletLayout(f).layout).to.equal('unit');
    const problems = preflightProblems(
      f,
      { kubernetes_version: '1.35', kubelet_layout: 'unit', runc_binary: '/usr/local/sbin/runc' },
      declaredBy(['remove-docker', 'install-containerd', 'kubelet-config']),
    );
    expect(problems).to.have.length(3);
    expect(problems[0]).to.match(/primary group of alice.*usermod -g/);
    expect(problems[1]).to.match(/neither curl nor wget/);
    expect(problems[2]).to.match(/only 10 MiB free on \/var/);
    // Only the checks of the roles that run: kubelet-config alone does not care about Docker's accounts.
    expect(
      preflightProblems(f, { kubernetes_version: '1.35', kubelet_layout: 'unit', runc_binary: '/usr/local/sbin/runc' }, declaredBy(['kubelet-config'])),
    ).to.deep.equal([]);
  });

  it('says what it found for a kubelet it does not recognise', () => {
    const f = parseNodeFacts(
      'kubelet LoadState=loaded\nkubelet FragmentPath=/etc/systemd/system/kubelet.service\ndropin no yes /etc/systemd/system/kubelet.service.d/20-wrapper.conf\n',
    );
    expect(detectKubeletLayout(f)).to.deep.include({ layout: 'unknown' });
    expect(detectKubeletLayout(parseNodeFacts('kubelet LoadState=not-found\nkubelet-binary /opt/bin/kubelet\n')).found).to.equal(
      'a kubelet binary at /opt/bin/kubelet but no kubelet.service',
    );
    expect(preflightProblems(f, { kubelet_layout: 'unknown' }, declaredBy(['kubelet-config']))[0]).to.match(
      /found kubelet.service \(\/etc\/systemd\/system\/kubelet.service\) with drop-in .*20-wrapper.conf/,
    );
  });

  it("finds pods mounting Docker's or dockershim's socket by hostPath, not others", () => {
    const pods = {
      items: [
        { metadata: { namespace: 'a', name: 'p1' }, spec: { volumes: [{ hostPath: { path: '/var/run/docker.sock' } }] } },
        { metadata: { namespace: 'a', name: 'p2' }, spec: { volumes: [{ hostPath: { path: '/var/run/dockershim.sock' } }] } },
        { metadata: { namespace: 'a', name: 'p3' }, spec: { volumes: [{ hostPath: { path: '/var/log' } }, { emptyDir: {} }] } },
      ],
    };
    expect(podsMountingDockerSocket(pods)).to.deep.equal(['a/p1 (hostPath /var/run/docker.sock)', 'a/p2 (hostPath /var/run/dockershim.sock)']);
  });

  it('remove-docker removes exactly the static binaries of the domain table, dockerd last', () => {
    const role = parse(readFileSync(new URL('../../../roles/remove-docker/role.yaml', import.meta.url), 'utf8'));
    expect(role.variables.docker_static_binaries.default).to.deep.equal(DOCKER_STATIC_BINARIES.map((b) => b.name));
    expect(DOCKER_STATIC_BINARIES.at(-1)!.name).to.equal('dockerd');
  });
});

describe('preflight checks are chosen by the kinds roles declare, never by role names', () => {
  it('a role of your own that declares download and disk-space gets both checks; one that declares nothing gets none', () => {
    const f = parseNodeFacts(STATIC_NODE);
    const own = preflightProblems(f, { kubelet_layout: 'unit' }, new Set(['download', 'disk-space']));
    expect(own).to.have.length(2);
    expect(own[0]).to.match(/neither curl nor wget/);
    expect(own[1]).to.match(/only 10 MiB free on \/var/);
    expect(preflightProblems(f, { kubelet_layout: 'unit' }, new Set())).to.deep.equal([]);
  });
});
