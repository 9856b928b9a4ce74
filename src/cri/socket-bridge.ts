import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/**
 * A unix socket on the controller that stands for one on a node (as `ssh -L local.sock:remote.sock`):
 * each connection accepted here is piped to a new stream from `open` (a forwarded SSH channel). The
 * socket is 0600 in a 0700 directory of its own, so no other local user can talk to the node's
 * runtime through it. gRPC connects to `path` like to any local socket.
 */
export interface SocketBridge {
  readonly path: string;
  /** Why the last forwarded stream could not be opened, if one could not (gRPC then only says UNAVAILABLE). */
  readonly lastError?: Error;
  close(): void;
}

/**
 * `first`, when given, is a stream already opened (the caller's probe that the socket is reachable):
 * the first connection uses it rather than opening another, which saves a channel's round trip.
 */
export async function bridgeUnixSocket(open: () => Promise<Duplex>, first?: Duplex): Promise<SocketBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'provision-cri-'));
  const path = join(dir, 'cri.sock');
  const live = new Set<Socket | Duplex>();
  let spare = first;
  // Until gRPC takes it, an error on the waiting stream is only remembered (and the stream not used).
  spare?.once('error', (e: Error) => {
    bridge.lastError = e;
  });
  const next = () => {
    const s = spare;
    spare = undefined;
    return s && !s.destroyed ? Promise.resolve(s) : open();
  };
  const bridge: { path: string; lastError?: Error; close(): void } = {
    path,
    close: () => {
      server.close();
      spare?.destroy();
      for (const s of live) s.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Half-open: a client that ends its side still reads the node's answer (as through ssh -L).
  const server = createServer({ allowHalfOpen: true }, (local) => {
    live.add(local);
    local.on('close', () => live.delete(local));
    local.on('error', () => {});
    next().then(
      (remote) => join2(local, remote, live),
      (e: Error) => {
        bridge.lastError = e;
        local.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return bridge;
}

/** Pipes both ways; the node's side ending ends ours once what it sent is flushed; an error on either ends both. */
function join2(local: Socket, remote: Duplex, live: Set<Socket | Duplex>): void {
  live.add(remote);
  if (local.destroyed) {
    remote.destroy();
    return;
  }
  const fail = () => {
    local.destroy();
    remote.destroy();
  };
  remote.on('error', fail);
  remote.on('close', () => {
    live.delete(remote);
    local.end();
  });
  local.on('close', () => remote.destroy());
  local.pipe(remote);
  remote.pipe(local);
}
