import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/**
 * A unix socket on the controller that stands for one on a node (as `ssh -L local.sock:remote.sock`):
 * each connection accepted here is piped to a new stream from `open` (a forwarded SSH channel). The
 * socket is 0600 in a 0700 directory (the process's own, for all its bridges), so no other local user
 * can talk to the node's runtime through it. gRPC connects to `path` like to any local socket.
 */
export interface SocketBridge {
  readonly path: string;
  /** Why the last forwarded stream could not be opened, if one could not (gRPC then only says UNAVAILABLE). */
  readonly lastError?: Error;
  close(): void;
}

let shared: string | undefined;
let made = 0;

/**
 * The process's one 0700 directory for its bridges' sockets, made on first use and removed when the process
 * exits: a directory per bridge cost a thousand hosts' pod checks a mkdtemp and a recursive rm each, on the
 * event loop (about 1 ms each on a busy disk; bench:scale at forks 1,000).
 */
function bridgeDirectory(): string {
  if (shared === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'provision-cri-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    shared = dir;
  }
  return shared;
}

/**
 * `first`, when given, is a stream already opened (the caller's probe that the socket is reachable):
 * the first connection uses it rather than opening another, which saves a channel's round trip.
 */
export async function bridgeUnixSocket(open: () => Promise<Duplex>, first?: Duplex): Promise<SocketBridge> {
  const path = join(bridgeDirectory(), `cri-${++made}.sock`);
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
    // Closing the server unlinks its socket file.
    close: () => {
      server.close();
      spare?.destroy();
      for (const s of live) s.destroy();
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
