#!/usr/bin/env bash
# Arranges a node root (the base image seen through an overlay) into one of the layouts real
# workers have, from the base image's own Debian packages. Run as root on the controller.
# Usage: apply-layout.sh ROOT DOCKER(distro|docker-ce|static) KUBELET(unit|kubeadm) CRI_DOCKERD(0|1) DROPIN(usr-lib|etc) LEGACY_NAMES(0|1)
set -euo pipefail
root="$1" docker="$2" kubelet="$3" cri="$4" dropin="$5" legacy="$6"
here="$(cd "$(dirname "$0")" && pwd)"
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive "$@"; }

case "$docker" in
distro) ;;
docker-ce)
  # Docker's own repository: docker-ce, docker-ce-cli and containerd.io, with the files, paths and
  # package relations of docker/docker-ce-packaging (deb/common/control, docker.service from
  # moby contrib/init/systemd) and docker/containerd-packaging (debian/control: containerd.io
  # Provides/Conflicts/Replaces containerd and runc; its config.toml disables the CRI plugin).
  # The binaries are Debian's docker.io, containerd and runc, repackaged under those names.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  pkg() { # name version [control lines...]: the relations as the upstream control files give them
    local d="$work/$1" name="$1" version="$2"
    shift 2
    mkdir -p "$d/DEBIAN"
    {
      echo "Package: $name"; echo "Version: $version"; echo "Architecture: amd64"; echo "Maintainer: provision test fleet <fleet@provision.invalid>"
      printf '%s\n' "$@"
      echo "Description: $name as Docker's repository ships it (test fleet repackaging of Debian's binaries)"
    } > "$d/DEBIAN/control"
  }
  put() { # package src dest mode
    mkdir -p "$work/$1/$(dirname "$3")"
    install -m "$4" "$2" "$work/$1/$3"
  }
  # docker/containerd-packaging debian/control
  pkg containerd.io 1.6.20-1 "Provides: containerd, runc" "Conflicts: containerd, runc" "Replaces: containerd, runc"
  for b in containerd containerd-shim containerd-shim-runc-v1 containerd-shim-runc-v2 ctr; do put containerd.io "$root/usr/bin/$b" "usr/bin/$b" 0755; done
  put containerd.io "$root/usr/sbin/runc" usr/bin/runc 0755
  sed 's#^ExecStart=.*#ExecStart=/usr/bin/containerd#' "$root/lib/systemd/system/containerd.service" > "$work/containerd.service"
  put containerd.io "$work/containerd.service" lib/systemd/system/containerd.service 0644
  printf '%s\n' '#   Copyright 2018-2022 Docker Inc.' '' '#   Licensed under the Apache License, Version 2.0 (the "License");' \
    '#   you may not use this file except in compliance with the License.' '' 'disabled_plugins = ["cri"]' '' \
    '#root = "/var/lib/containerd"' '#state = "/run/containerd"' '#subreaper = true' '#oom_score = 0' > "$work/config.toml"
  put containerd.io "$work/config.toml" etc/containerd/config.toml 0644
  echo /etc/containerd/config.toml > "$work/containerd.io/DEBIAN/conffiles"
  # docker/docker-ce-packaging deb/common/control
  pkg docker-ce-cli 5:20.10.24~3-0~debian-bookworm "Conflicts: docker (<< 1.5~), docker-engine, docker.io" "Replaces: docker-ce (<< 5:0)" "Breaks: docker-ce (<< 5:0)"
  put docker-ce-cli "$root/usr/bin/docker" usr/bin/docker 0755
  pkg docker-ce 5:20.10.24~3-0~debian-bookworm "Depends: containerd.io (>= 1.6), docker-ce-cli" "Conflicts: docker (<< 1.5~), docker-engine, docker.io" "Replaces: docker-engine"
  put docker-ce "$root/usr/sbin/dockerd" usr/bin/dockerd 0755
  put docker-ce "$root/usr/sbin/docker-proxy" usr/bin/docker-proxy 0755
  put docker-ce "$root/usr/bin/docker-init" usr/bin/docker-init 0755
  sed -e 's#^ExecStart=.*#ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock#' -e '/^EnvironmentFile=/d' \
    "$root/lib/systemd/system/docker.service" > "$work/docker.service"
  put docker-ce "$work/docker.service" lib/systemd/system/docker.service 0644
  put docker-ce "$root/lib/systemd/system/docker.socket" lib/systemd/system/docker.socket 0644
  mkdir -p "$root/tmp/fleet-debs"
  for p in containerd.io docker-ce-cli docker-ce; do dpkg-deb --root-owner-group -Znone -b "$work/$p" "$root/tmp/fleet-debs/$p.deb" >/dev/null; done
  in_root dpkg --purge docker.io containerd runc >/dev/null
  in_root sh -c 'dpkg -i /tmp/fleet-debs/containerd.io.deb /tmp/fleet-debs/docker-ce-cli.deb /tmp/fleet-debs/docker-ce.deb' >/dev/null
  rm -rf "$root/tmp/fleet-debs"
  in_root systemctl enable containerd.service docker.service docker.socket >/dev/null 2>&1
  ;;
static)
  # githubixx/ansible-role-docker: the static release binaries in /usr/local/bin, its own
  # docker.service/docker.socket in /etc/systemd/system (templates/etc/systemd/system/*.j2),
  # user and group docker with uid/gid 666 (defaults/main.yml); dockerd runs its own containerd.
  for b in usr/sbin/dockerd usr/bin/docker usr/bin/docker-init usr/sbin/docker-proxy usr/bin/containerd usr/bin/containerd-shim \
           usr/bin/containerd-shim-runc-v2 usr/bin/ctr usr/sbin/runc; do
    install -m 0755 "$root/$b" "$root/usr/local/bin/$(basename "$b")"
  done
  if [ "$legacy" = 1 ]; then
    # Docker before 18.09 shipped its containerd and runc under docker-* names.
    for pair in containerd:docker-containerd containerd-shim:docker-containerd-shim ctr:docker-containerd-ctr runc:docker-runc; do
      install -m 0755 "$root/usr/local/bin/${pair%%:*}" "$root/usr/local/bin/${pair##*:}"
    done
  fi
  in_root dpkg --purge docker.io containerd runc >/dev/null
  in_root groupdel docker 2>/dev/null || true
  in_root groupadd -g 666 docker
  in_root useradd -u 666 -g docker -M -d /nonexistent -s /usr/sbin/nologin docker
  install -m 0644 "$here/docker-static.service" "$root/etc/systemd/system/docker.service"
  install -m 0644 "$here/docker-static.socket" "$root/etc/systemd/system/docker.socket"
  in_root systemctl enable docker.service docker.socket >/dev/null 2>&1
  ;;
*) echo "unknown docker layout $docker" >&2; exit 2 ;;
esac

if [ "$cri" = 1 ]; then
  # Mirantis cri-dockerd as its packages install it (packaging/systemd/cri-docker.{service,socket});
  # the binary is a stand-in (cri-dockerd-standin.py).
  [ "$docker" != static ] || { echo "cri-dockerd needs containerd.service (its unit BindsTo it): not with static Docker" >&2; exit 2; }
  install -m 0755 "$here/cri-dockerd-standin.py" "$root/usr/bin/cri-dockerd"
  install -m 0644 "$here/cri-docker.service" "$root/lib/systemd/system/cri-docker.service"
  install -m 0644 "$here/cri-docker.socket" "$root/lib/systemd/system/cri-docker.socket"
  in_root systemctl enable cri-docker.socket cri-docker.service >/dev/null 2>&1
fi

case "$kubelet" in
unit) ;;
kubeadm)
  # kubelet from the Kubernetes packages (kubernetes/release: kubelet.service in /lib/systemd/system,
  # kubeadm's 10-kubeadm.conf drop-in; current packages put it under /usr/lib/systemd/system/kubelet.service.d,
  # older ones under /etc/systemd/system/kubelet.service.d), configured by kubeadm join.
  in_root systemctl disable kubelet.service >/dev/null 2>&1 || true
  mv "$root/usr/local/bin/kubelet" "$root/usr/bin/kubelet"
  rm -f "$root/etc/systemd/system/kubelet.service" "$root/var/lib/kubelet/kubeconfig"
  install -m 0644 "$here/kubelet.service" "$root/lib/systemd/system/kubelet.service"
  if [ "$dropin" = etc ]; then d="$root/etc/systemd/system/kubelet.service.d"; else d="$root/usr/lib/systemd/system/kubelet.service.d"; fi
  mkdir -p "$d"
  install -m 0644 "$here/10-kubeadm.conf" "$d/10-kubeadm.conf"
  install -m 0644 "$here/kubeadm-config.yaml" "$root/var/lib/kubelet/config.yaml"
  mkdir -p "$root/etc/kubernetes/pki" "$root/etc/kubernetes/manifests"
  printf 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n' > "$root/etc/kubernetes/kubelet.conf"
  chmod 600 "$root/etc/kubernetes/kubelet.conf"
  touch "$root/etc/kubernetes/pki/ca.crt"
  in_root systemctl enable kubelet.service >/dev/null 2>&1
  ;;
*) echo "unknown kubelet layout $kubelet" >&2; exit 2 ;;
esac
