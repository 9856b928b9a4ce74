/** The variables dockerCarry reads, at their role defaults: what the preflight passes for a host with no inventory overrides. */
export const CARRY_VARS = {
  docker_carry_settings: true,
  containerd_registry_config_path: '/etc/containerd/certs.d',
  containerd_registry_mirrors: {},
  containerd_systemd_cgroup: true,
  kubelet_config: {},
  containerd_root: '/var/lib/containerd',
  docker_migrate_images: 'auto',
  docker_migrate_all_images: false,
  docker_migrate_images_max_mb: 4096,
  containerd_runtimes: ['runc'],
  runc_binary: '/usr/local/sbin/runc',
  containerd_runsc_config: '/etc/containerd/runsc.toml',
  nvidia_container_runtime: '/usr/bin/nvidia-container-runtime',
};

export const CARRY_ROLES = ['remove-docker', 'install-containerd', 'kubelet-config'];
