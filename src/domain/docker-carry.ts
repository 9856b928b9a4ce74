import { ansibleBoolean } from '../core/ansible-boolean.js';
import { type DockerSettingsFacts, dockerSettingsFact } from '../facts/docker-daemon-files.js';
import type { Fact } from '../facts/fact.js';
import type { Vars } from '../inventory/inventory.js';
import { imagesToMigrate } from './docker-images.js';
import { carryRuntimes } from './docker-runtimes.js';
import type { RuntimeSpec } from './runtime-presets.js';
import { type CarriedDaemon, carriedLogConfig, carriedState, carryRegistries, cgroupDriverProblem, dataRootNote } from './docker-settings.js';

/**
 * The variables Docker's settings and images set for the roles, detected on the node in the plan's
 * gather (while /etc/docker and Docker still exist) and filled in like the layout: an
 * inventory value other than "auto" wins. Problems refuse the host before anything changes;
 * notes are told per node.
 */
export function dockerCarryFact(vars: Vars): Fact<DockerSettingsFacts> {
  // A roles dir of your own may not declare them: the probe still reads the usual places.
  return dockerSettingsFact({
    stateFile: String(vars.docker_settings_state_file ?? '/var/lib/provision/docker-settings.json'),
    containerdRoot: String(vars.containerd_root ?? '/var/lib/containerd'),
    archive: String(vars.docker_images_archive ?? '/var/lib/provision/docker-images.tar'),
  });
}

export interface DockerCarry {
  vars: Vars;
  problems: string[];
  notes: string[];
}

/** `declared`: the preflight kinds of the host's roles (`carry`, `docker-removal`: see PREFLIGHT_KINDS). */
export function dockerCarry(f: DockerSettingsFacts, vars: Vars, declared: ReadonlySet<string>): DockerCarry {
  const out: DockerCarry = { vars: {}, problems: [], notes: [] };
  // Only for roles that read the carried variables (a role of your own gets nothing of Docker's unless it declares `carry`).
  if (!declared.has('carry') && !declared.has('docker-removal')) return out;
  if (ansibleBoolean(vars.docker_carry_settings)) carrySettings(f, vars, out);
  // An archive an earlier run exported and did not import (it was cut short once Docker had stopped) is handed over still.
  const resumed = !f.dockerActive && f.archived.length > 0;
  const migrate = vars.docker_migrate_images === 'auto' ? f.dockerActive || resumed : ansibleBoolean(vars.docker_migrate_images);
  out.vars.docker_migrate_images = migrate;
  if (migrate && resumed && declared.has('docker-removal')) {
    out.vars.docker_migrate_image_list = f.archived;
    out.notes.push(`${f.archived.length} image(s) an earlier run exported from Docker, handed over to containerd now: ${f.archived.join(', ')}`);
  } else if (migrate && declared.has('docker-removal')) {
    const maxBytes = Number(vars.docker_migrate_images_max_mb) * 1024 * 1024;
    const picked = imagesToMigrate(f, { all: ansibleBoolean(vars.docker_migrate_all_images), maxBytes });
    out.vars.docker_migrate_image_list = picked.images;
    if (picked.images.length)
      out.notes.push(
        `${picked.images.length} Docker image(s) (${Math.ceil(picked.bytes / 1024 / 1024)} MiB) handed over to containerd: ${picked.images.join(', ')}`,
      );
    if (picked.skipped.length) out.notes.push(`Docker images not handed over (pulled again when needed): ${picked.skipped.join(', ')}`);
  }
  return out;
}

function carrySettings(f: DockerSettingsFacts, vars: Vars, out: DockerCarry): void {
  const { state, problem, refused } = carriedState(f);
  if (problem) out.notes.push(problem);
  if (refused) out.problems.push(refused);
  if (!state) return;
  out.vars.docker_settings_state = state;
  const registries = carryRegistries({
    state,
    certsDir: String(vars.containerd_registry_config_path),
    inventoryMirrors: (vars.containerd_registry_mirrors ?? {}) as Record<string, unknown>,
  });
  out.vars.containerd_registry_hosts = registries.hosts;
  out.vars.docker_carried_certs = registries.copies;
  out.notes.push(...registries.notes);
  const cgroup = cgroupDriverProblem(state.daemon, ansibleBoolean(vars.containerd_systemd_cgroup));
  if (cgroup) out.problems.push(cgroup);
  const logs = carriedLogConfig(state.daemon, (vars.kubelet_config ?? {}) as Record<string, unknown>);
  out.vars.docker_carried_kubelet_config = logs.config;
  out.notes.push(...logs.notes);
  carryRuntimeHandlers(state.daemon, vars, out);
  const dataRoot = dataRootNote(f, String(vars.containerd_root));
  if (dataRoot) out.notes.push(dataRoot);
}

/** Docker's runtimes as containerd_runtime_handlers beside the inventory's, and its default-runtime. */
function carryRuntimeHandlers(daemon: CarriedDaemon, vars: Vars, out: DockerCarry): void {
  const runtimes = carryRuntimes({
    carried: daemon,
    inventoryRuntimes: (Array.isArray(vars.containerd_runtimes) ? vars.containerd_runtimes : []) as RuntimeSpec[],
    ctx: {
      systemdCgroup: ansibleBoolean(vars.containerd_systemd_cgroup),
      runcBinary: String(vars.runc_binary),
      runscConfigPath: String(vars.containerd_runsc_config),
      nvidiaRuntime: String(vars.nvidia_container_runtime ?? ''),
    },
  });
  if (runtimes.handlers) out.vars.containerd_runtime_handlers = runtimes.handlers;
  if (runtimes.defaultRuntime) out.vars.containerd_default_runtime = runtimes.defaultRuntime;
  out.notes.push(...runtimes.notes);
  // A default other than the role's own can only be the inventory's, which wins over a detected value.
  const mine = vars.containerd_default_runtime;
  if (runtimes.defaultRuntime && typeof mine === 'string' && mine !== 'runc' && mine !== runtimes.defaultRuntime)
    out.notes.push(`containerd_default_runtime ${mine} (the inventory's) wins over Docker's default-runtime ${runtimes.defaultRuntime}`);
}
