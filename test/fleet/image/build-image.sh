#!/usr/bin/env bash
# Builds the fleet's node image: Debian bookworm with systemd, sshd and Docker Engine (docker.io,
# which pulls in containerd and runc), plus a kubelet stand-in with a Docker-era kubelet.service.
# Nodes run containers: crun (a second real OCI runtime), busybox-static (the tiny offline images of
# test/helpers/tiny-images.ts) and fleet-cgroups.service (writable cgroup controllers, see README).
# Usage: build-image.sh IMAGE_DIR   (writes IMAGE_DIR.tmp, then renames: never a half-built image)
set -euo pipefail
image="$1"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$image.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$image")"

debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,openssh-server,dbus,iproute2,sudo,ca-certificates,curl,python3,kmod,procps \
  bookworm "$tmp" http://deb.debian.org/debian >"$tmp.log" 2>&1 || { tail -20 "$tmp.log"; exit 1; }

# Docker must not touch the host's network (nodes share it).
mkdir -p "$tmp/etc/docker"
cp "$here/daemon.json" "$tmp/etc/docker/daemon.json"
chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io crun busybox-static >>"$tmp.log" 2>&1 \
  || { tail -20 "$tmp.log"; exit 1; }
chroot "$tmp" apt-get clean

# The kubelet stand-in (no Debian package ships kubelet) and its Docker-era unit.
install -m 0755 "$here/kubelet-standin.py" "$tmp/usr/local/bin/kubelet"
install -m 0644 "$here/kubelet.service" "$tmp/etc/systemd/system/kubelet.service"
mkdir -p "$tmp/etc/kubelet-standin" "$tmp/var/lib/kubelet"
echo "1.23" > "$tmp/etc/kubelet-standin/version"
touch "$tmp/var/lib/kubelet/kubeconfig"
chroot "$tmp" systemctl enable kubelet.service docker.service ssh.service >/dev/null 2>&1

# Writable cgroup controllers before anything starts (runc and crun create cgroups there).
install -m 0755 "$here/fleet-cgroups.sh" "$tmp/usr/local/sbin/fleet-cgroups"
install -m 0644 "$here/fleet-cgroups.service" "$tmp/etc/systemd/system/fleet-cgroups.service"
chroot "$tmp" systemctl enable fleet-cgroups.service >/dev/null 2>&1

# Boot quietly and fast inside systemd-nspawn.
chroot "$tmp" systemctl mask systemd-networkd-wait-online.service getty@tty1.service console-getty.service >/dev/null 2>&1 || true
mkdir -p "$tmp/root/.ssh" && chmod 700 "$tmp/root/.ssh"
rm -f "$tmp"/etc/ssh/ssh_host_*   # each node gets its own host keys at first boot
cat > "$tmp/etc/systemd/system/ssh-hostkeys.service" <<'UNIT'
[Unit]
Description=Generate SSH host keys
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
UNIT
chroot "$tmp" systemctl enable ssh-hostkeys.service >/dev/null 2>&1
cp "$here/recipe-version" "$tmp/etc/provision-fleet-recipe"
rm -rf "$image"
mv "$tmp" "$image"
rm -f "$tmp.log"
echo "image ready: $image"
