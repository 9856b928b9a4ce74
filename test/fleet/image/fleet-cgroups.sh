#!/bin/sh
# Runs in a fleet node before sysinit.target (fleet-cgroups.service): systemd-nspawn mounts the v1
# cgroup controllers read-only, and runc then fails ("mkdir /sys/fs/cgroup/cpuset/...: read-only file
# system"). The node has its own cgroup namespace, so fresh mounts are the node's own subtree. A plain
# remount of `memory` answers "mount point is busy": each controller is unmounted lazily and mounted anew.
# A controller that is not mounted (a cgroup v2 host) is left alone.
set -u
mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
  mountpoint -q "/sys/fs/cgroup/$c" || continue
  umount -l "/sys/fs/cgroup/$c" && mkdir -p "/sys/fs/cgroup/$c" && mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" \
    || echo "fleet-cgroups: could not mount the $c controller read-write" >&2
done
exit 0
