import { messageOf, rowPerHost } from './host-session.js';
import type { PreparedRun, TransportFactory } from '../plan/model.js';
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
export function verifyFleet(prepared: PreparedRun, opts: { connect: TransportFactory; forks: number }): Promise<VerifyRow[]> {
  return rowPerHost(
    prepared,
    opts,
    async (host, transport): Promise<VerifyRow> => {
      const preflight = await preflightHost(prepared, host, transport, {
        planTasks: false,
        diff: false,
        afterFacts: (h) => verificationFor(h)?.readOnlyFacts ?? [],
      });
      const verification = verificationFor(preflight.plan);
      if (!verification) return { host: host.host, result: 'ok', lines: ['no role of this host declares a check'] };
      const v = await verifyHost(verification, preflight.cache, transport, true);
      return { host: host.host, result: v.ok ? 'ok' : 'failed', lines: (v.ok ? v.reason : v.error).split('\n').filter(Boolean) };
    },
    (host, e, unreachable) => ({ host: host.host, result: unreachable ? 'unreachable' : 'failed', lines: [messageOf(e)] }),
  );
}
