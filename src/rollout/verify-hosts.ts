import { TransportError } from '../core/errors.js';
import { connectionOf } from '../inventory/connection.js';
import { messageOf } from './host-session.js';
import type { PreparedRun, TransportFactory } from '../plan/model.js';
import type { Transport } from '../transport/transport.js';
import { preflightHost } from './preflight.js';
import { verificationFor, verifyHost } from './verification.js';

export interface VerifyRow {
  host: string;
  result: 'ok' | 'failed' | 'unreachable';
  /** The failures (failed), or what was proven and warned about (ok), one a line. */
  lines: string[];
}

/**
 * `provision verify`: every selected host's roles' checks, the acting ones included (the pod check
 * runs whatever provision_pod_check says but never), `forks` hosts at a time. Nothing is planned or
 * applied: the host is read as the preflight reads it (its layout detected), then its checks run.
 */
export async function verifyFleet(prepared: PreparedRun, opts: { connect: TransportFactory; forks: number }): Promise<VerifyRow[]> {
  const rows: VerifyRow[] = [];
  const queue = [...prepared.hosts];
  const worker = async () => {
    for (let host = queue.shift(); host; host = queue.shift()) {
      let transport: Transport | undefined;
      try {
        transport = await opts.connect(host.host, connectionOf(host.host, host.vars));
        const preflight = await preflightHost(prepared, host, transport, {
          planTasks: false,
          diff: false,
          afterFacts: (h) => verificationFor(h)?.readOnlyFacts ?? [],
        });
        const verification = verificationFor(preflight.plan);
        if (!verification) {
          rows.push({ host: host.host, result: 'ok', lines: ['no role of this host declares a check'] });
          continue;
        }
        const v = await verifyHost(verification, preflight.cache, transport, true);
        rows.push({ host: host.host, result: v.ok ? 'ok' : 'failed', lines: (v.ok ? v.reason : v.error).split('\n').filter(Boolean) });
      } catch (e) {
        // The host's boundary (as inHostSession's): no connection, or a lost one, is unreachable; anything else
        // (a node's answer provision cannot read, say) fails this host only.
        const result = !transport || e instanceof TransportError ? 'unreachable' : 'failed';
        rows.push({ host: host.host, result, lines: [messageOf(e)] });
      } finally {
        await transport?.close().catch(() => {});
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.forks, queue.length)) }, worker));
  const order = prepared.hosts.map((h) => h.host);
  return rows.sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
}
