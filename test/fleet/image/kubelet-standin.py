#!/usr/bin/python3
"""A STAND-IN for kubelet on test nodes (no Debian package ships kubelet, and no API server runs here).

It behaves like the real kubelet in the ways a Docker-to-containerd migration can break:
- it exits with "unknown flag" for a flag its Kubernetes version removed;
- it will not run unless its container runtime endpoint is a live socket (dockershim's
  docker.sock for --container-runtime=docker before 1.24, else the CRI endpoint from the
  --container-runtime-endpoint flag or containerRuntimeEndpoint in the --config file);
- it exits when that socket goes away, so systemd restarts it.
Its version comes from /etc/kubelet-standin/version. What it runs against is written to
/run/kubelet-standin/status.json for tests to read.
"""
import json, os, re, signal, socket, sys, time

REMOVED = {
    "docker-endpoint": "1.24", "experimental-dockershim-root-directory": "1.24",
    "image-pull-progress-deadline": "1.24", "network-plugin": "1.24", "cni-conf-dir": "1.24",
    "cni-bin-dir": "1.24", "cni-cache-dir": "1.24", "network-plugin-mtu": "1.24",
    "container-runtime": "1.27", "pod-infra-container-image": "1.35",
}

def ver(text):
    major, minor = re.match(r"v?(\d+)\.(\d+)", text.strip()).groups()
    return (int(major), int(minor))

def live(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()

def main():
    version = open("/etc/kubelet-standin/version").read().strip()
    flags = {}
    for arg in sys.argv[1:]:
        if not arg.startswith("--"):
            print(f"kubelet: unexpected argument {arg!r}", file=sys.stderr)
            return 1
        name, _, value = arg[2:].partition("=")
        if name in REMOVED and ver(version) >= ver(REMOVED[name]):
            print(f"Error: failed to parse kubelet flag: unknown flag: --{name}", file=sys.stderr)
            return 1
        flags[name] = value
    config = {}
    if "config" in flags:
        try:
            for line in open(flags["config"]):
                m = re.match(r"^(\w+):\s*(\S.*)$", line.rstrip())
                if m:
                    config[m.group(1)] = m.group(2).strip().strip('"')
        except OSError as e:
            print(f"kubelet: failed to load kubelet config file {flags['config']}: {e}", file=sys.stderr)
            return 1
    runtime = flags.get("container-runtime", "docker" if ver(version) < (1, 24) else "remote")
    if runtime == "docker" and ver(version) < (1, 24):
        endpoint = "unix:///var/run/docker.sock"
    else:
        endpoint = flags.get("container-runtime-endpoint") or config.get("containerRuntimeEndpoint")
    if not endpoint:
        print("kubelet: no container runtime endpoint: set --container-runtime-endpoint or containerRuntimeEndpoint", file=sys.stderr)
        return 1
    path = endpoint.replace("unix://", "", 1)
    if not live(path):
        print(f"kubelet: container runtime is down: {endpoint} is not a live socket", file=sys.stderr)
        return 1
    os.makedirs("/run/kubelet-standin", exist_ok=True)
    status = {"version": version, "runtime": runtime, "endpoint": endpoint, "flags": flags,
              "cgroupDriver": config.get("cgroupDriver"), "pid": os.getpid()}
    with open("/run/kubelet-standin/status.json.tmp", "w") as f:
        json.dump(status, f)
    os.rename("/run/kubelet-standin/status.json.tmp", "/run/kubelet-standin/status.json")
    print(f"kubelet stand-in {version} running against {endpoint}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(2)
        if not live(path):
            print(f"kubelet: lost the container runtime at {endpoint}", file=sys.stderr)
            return 1

if __name__ == "__main__":
    sys.exit(main())
