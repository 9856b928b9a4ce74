import { criOverTransport } from '../cri/cri-client.js';
import type { Transport } from '../transport/transport.js';
import type { PodCri } from './pod-cri.js';

/** A CRI client on the node's socket, over the host's own connection (the transport's unix-socket stream). */
export function criForCheck(transport: Transport): (socketPath: string) => Promise<PodCri> {
  // Each CRI call of the check is bounded: a runtime that hangs fails the check, not the run.
  return (socketPath) => criOverTransport(transport, socketPath, { deadlineMs: 15_000, slowDeadlineMs: 60_000 });
}
