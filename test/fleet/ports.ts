import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A free port for a server to listen on, chosen below the kernel's ephemeral range: a port from
 * that range can be taken by any outgoing connection (the fleet's own ssh probes among them)
 * between the moment it is chosen and the moment the server binds it.
 */
export async function freeListenPort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch {
    // not Linux: keep the usual default
  }
  const floor = Math.min(10_000, low - 1000);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = floor + Math.floor(Math.random() * (low - floor));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${floor} and ${low}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
