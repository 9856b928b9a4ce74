import { ProvisionError, TransportError } from '../core/errors.js';
import { type HostStats, type Listener, reportResult } from '../core/events.js';
import { connectionOf } from '../inventory/connection.js';
import type { Vars } from '../inventory/inventory.js';
import type { Transport } from '../transport/transport.js';
import type { PreparedHost, PreparedRun, TransportFactory } from '../plan/model.js';

/**
 * One host's connection for a command (apply, restore): connect, run `body`, close. This is the one
 * boundary of a host's work: whatever is thrown inside it ends that host only, and the run goes on
 * for the others (and writes its recap, report and retry file). A host that cannot be reached, or
 * whose connection is lost on the way (a TransportError, the one kind of error a transport throws),
 * is unreachable; anything else thrown (a node answer that does not fit, a task's error, a fault
 * of provision's own) is the host's failure with its message.
 * Returns the round trips the connection made, when it was made.
 */
export async function inHostSession(
  host: string,
  vars: Vars,
  opts: { connect: TransportFactory; listener: Listener },
  stats: HostStats,
  body: (transport: Transport) => Promise<void>,
): Promise<number | undefined> {
  let transport: Transport;
  try {
    transport = await opts.connect(host, connectionOf(host, vars));
  } catch (e) {
    stats.unreachable = 1;
    opts.listener({ type: 'host-unreachable', host, error: messageOf(e) });
    return undefined;
  }
  try {
    await body(transport);
  } catch (e) {
    if (e instanceof TransportError) {
      stats.unreachable = 1;
      opts.listener({ type: 'host-unreachable', host, error: e.message });
    } else hostFailed(host, e, stats, opts.listener);
  } finally {
    // A close that fails changes nothing of the host's outcome.
    await transport.close().catch(() => {});
  }
  return transport.runs;
}

/** An error that ended a host's work, as that host's failed result (its role and task when the error knows them). */
function hostFailed(host: string, e: unknown, stats: HostStats, listener: Listener): void {
  const where = e instanceof ProvisionError ? { role: e.role ?? 'rollout', task: e.task ?? 'host' } : { role: 'rollout', task: 'host' };
  listener({ type: 'task-start', host, ...where, handler: false });
  reportResult(stats, listener, { host, ...where, handler: false, status: 'failed', changes: [], error: messageOf(e) });
}

/** The message of anything thrown; what is not a ProvisionError keeps its kind (`TypeError: ...`) for a bug report. */
export function messageOf(e: unknown): string {
  if (e instanceof ProvisionError) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/**
 * The read-only commands' fleet (preflight, verify): each selected host in a session of its own, `forks`
 * at a time, each giving one row. The same boundary as inHostSession: a host that cannot be reached, or
 * whose connection is lost, gets `failed(e, true)`; anything else thrown gets `failed(e, false)`, that
 * host's row only. Rows come back in the inventory's order.
 */
export async function rowPerHost<R>(
  prepared: PreparedRun,
  opts: { connect: TransportFactory; forks: number },
  body: (host: PreparedHost, transport: Transport) => Promise<R>,
  failed: (host: PreparedHost, e: unknown, unreachable: boolean) => R,
): Promise<R[]> {
  const rows = new Map<string, R>();
  const queue = [...prepared.hosts];
  const worker = async () => {
    for (let host = queue.shift(); host; host = queue.shift()) {
      let transport: Transport | undefined;
      try {
        transport = await opts.connect(host.host, connectionOf(host.host, host.vars));
        rows.set(host.host, await body(host, transport));
      } catch (e) {
        rows.set(host.host, failed(host, e, !transport || e instanceof TransportError));
      } finally {
        await transport?.close().catch(() => {});
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.forks, queue.length)) }, worker));
  return prepared.hosts.flatMap((h) => (rows.has(h.host) ? [rows.get(h.host)!] : []));
}
