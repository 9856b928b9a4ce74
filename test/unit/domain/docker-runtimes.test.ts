import { declaredBy } from '../../helpers/roles.js';
import { expect } from 'chai';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { dockerCarry } from '../../../src/domain/docker-carry.js';
import { parseDockerSettings } from '../../../src/facts/docker-daemon-files.js';
import { CARRY_ROLES, CARRY_VARS } from '../../helpers/carry-vars.js';
import { thrown } from '../../helpers/inventory.js';
import { renderHost } from '../../helpers/roles.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const daemonNode = (daemon: object) => parseDockerSettings(`source docker\ndaemon ${b64(JSON.stringify(daemon))}\n`);
const GPU_DAEMON = { runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime', runtimeArgs: [] } }, 'default-runtime': 'nvidia' };

/** What install-containerd writes for a host: the config's runtimes, its default, and the RuntimeClass manifests. */
function written(vars: Record<string, unknown>) {
  const files = renderHost({ containerd_version: '1.7.24', ...vars }, ['install-containerd']);
  // biome-ignore lint/suspicious/noExplicitAny: parsed TOML is walked by key
  const cri = (parseToml(files.get('/etc/containerd/config.toml')!.content) as any).plugins['io.containerd.grpc.v1.cri'].containerd;
  const classes = files.get('/etc/containerd/runtime-classes.yaml')?.content ?? '';
  const manifests = classes
    .split(/^---$/m)
    .map((d) => parseYaml(d))
    .filter(Boolean);
  return { runtimes: cri.runtimes, defaultRuntime: cri.default_runtime_name, manifests };
}

describe("Docker's runtimes in what install-containerd writes", () => {
  it('a GPU node: the nvidia handler runs nvidia-container-runtime, is the default, and runc keeps a RuntimeClass', () => {
    const carry = dockerCarry(daemonNode(GPU_DAEMON), CARRY_VARS, declaredBy(CARRY_ROLES));
    const w = written(carry.vars);
    expect(w.runtimes.nvidia).to.deep.equal({
      runtime_type: 'io.containerd.runc.v2',
      options: { SystemdCgroup: true, BinaryName: '/usr/bin/nvidia-container-runtime' },
    });
    expect(w.defaultRuntime).to.equal('nvidia');
    expect(w.manifests.map((m) => m.handler)).to.deep.equal(['runc']);
  });

  it('the state file written before Docker goes plans the same handlers on a second run', () => {
    const first = dockerCarry(daemonNode(GPU_DAEMON), CARRY_VARS, declaredBy(CARRY_ROLES));
    const state = JSON.stringify(first.vars.docker_settings_state);
    const second = dockerCarry(parseDockerSettings(`source state\ndaemon ${b64(state)}\n`), CARRY_VARS, declaredBy(CARRY_ROLES));
    expect(second.vars.containerd_runtime_handlers).to.deep.equal(first.vars.containerd_runtime_handlers);
    expect(second.vars.containerd_default_runtime).to.equal('nvidia');
  });

  it('the nvidia preset (NVIDIA container toolkit containerd instructions) follows nvidia_container_runtime and containerd_systemd_cgroup', () => {
    const w = written({
      containerd_runtimes: ['runc', 'nvidia'],
      nvidia_container_runtime: '/opt/nvidia/bin/nvidia-container-runtime',
      containerd_systemd_cgroup: false,
    });
    expect(w.runtimes.nvidia).to.deep.equal({
      runtime_type: 'io.containerd.runc.v2',
      options: { SystemdCgroup: false, BinaryName: '/opt/nvidia/bin/nvidia-container-runtime' },
    });
    expect(w.manifests).to.deep.equal([{ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' }, handler: 'nvidia' }]);
  });

  it('a default that no handler names is refused before anything connects', () => {
    expect(thrown(() => written({ containerd_default_runtime: 'nvidia' })).message).to.match(/containerd_default_runtime "nvidia" is not one of/);
  });
});
