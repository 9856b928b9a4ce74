import { ProvisionError } from '../core/errors.js';
import type { HostStats, Listener } from '../core/events.js';
import { connectionOf } from '../inventory/connection.js';
import type { Vars } from '../inventory/inventory.js';
import type { Transport } from '../transport/transport.js';
import type { TransportFactory } from '../plan/model.js';

/**
 * One host's connection for a command (apply, restore): connect, run `body`, close. A host that
 * cannot be reached, or whose connection is lost on the way (a TransportError, the one kind of
 * ProvisionError a transport throws), is unreachable: a result, not a broken run.
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
    opts.listener({ type: 'host-unreachable', host, error: (e as Error).message });
    return undefined;
  }
  try {
    await body(transport);
  } catch (e) {
    if (!(e instanceof ProvisionError)) throw e;
    stats.unreachable = 1;
    opts.listener({ type: 'host-unreachable', host, error: e.message });
  } finally {
    await transport.close();
  }
  return transport.runs;
}
