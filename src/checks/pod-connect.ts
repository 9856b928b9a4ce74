import type { Transport } from '../transport/transport.js';
import type { PodCri } from './pod-cri.js';

/** The client module: its path held in a variable until the CRI client lands on this branch (then a plain import). */
const CRI_CLIENT = '../cri/cri-client.js';

/** A CRI client on the node's socket, over the host's own connection (the transport's unix-socket stream). */
export function criForCheck(transport: Transport): (socketPath: string) => Promise<PodCri> {
  return async (socketPath) => {
    const { criOverTransport } = (await import(CRI_CLIENT)) as {
      criOverTransport: (t: Transport, socket: string, opts?: { deadlineMs?: number }) => Promise<PodCri>;
    };
    // Each CRI call of the check is bounded: a runtime that hangs fails the check, not the run.
    return criOverTransport(transport, socketPath, { deadlineMs: 30_000 });
  };
}
