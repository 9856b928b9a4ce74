#!/usr/bin/python3
"""A STAND-IN for Mirantis cri-dockerd (its binary cannot be built or fetched here).

Started by cri-docker.service with the listening socket of cri-docker.socket (systemd socket
activation, fd 3), it tells systemd it is ready, then accepts and closes connections while
docker.sock is live, so the socket kubelet points at is what cri-dockerd's would be: live while
Docker runs, and the service stops with Docker.
"""
import os, socket, sys, time

def notify(msg):
    path = os.environ.get("NOTIFY_SOCKET")
    if not path:
        return
    if path.startswith("@"):
        path = "\0" + path[1:]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.sendto(msg.encode(), path)
    s.close()

def docker_live():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("/run/docker.sock")
        return True
    except OSError:
        return False
    finally:
        s.close()

def main():
    if os.environ.get("LISTEN_FDS") != "1":
        print("cri-dockerd stand-in: expected one socket from systemd (cri-docker.socket)", file=sys.stderr)
        return 1
    listener = socket.socket(fileno=3)
    listener.settimeout(2)
    notify("READY=1")
    print("cri-dockerd stand-in serving on the socket from cri-docker.socket", flush=True)
    while True:
        if not docker_live():
            print("cri-dockerd stand-in: docker.sock is gone", file=sys.stderr)
            return 1
        try:
            conn, _ = listener.accept()
            conn.close()
        except socket.timeout:
            pass

if __name__ == "__main__":
    sys.exit(main())
