import { createHash } from 'node:crypto';
import type { Change } from '../core/change.js';
import { OWED_HANDLERS_DIR } from '../core/constants.js';
import { existsFact } from '../facts/exists.js';
import { q } from '../transport/shell.js';
import type { PreparedHost, PreparedRole } from '../plan/model.js';

/**
 * Handlers owed by a run that was cut short. A change that notifies a handler first leaves a marker
 * on the node, in the same script; the handler removes it when it has run. A connection lost (or a
 * host failed) in between leaves the marker, and the next run, finding nothing left to change, still
 * runs the handler: the restart that makes a written config take effect is never lost.
 */
export function markerPath(role: string, handler: string): string {
  return `${OWED_HANDLERS_DIR}/${createHash('sha256').update(`${role}\0${handler}`).digest('hex').slice(0, 32)}`;
}

/** The marker facts of every handler of a host, gathered with the plan's other facts. */
export const owedHandlerFacts = (plan: PreparedHost) => plan.roles.flatMap((r) => r.handlers.map((h) => existsFact(markerPath(r.role, h.spec.name))));

/** The handlers of a role a previous run notified and never ran, from the gathered marker facts. */
export function owedHandlers(role: PreparedRole, values: Map<string, unknown>): string[] {
  return role.handlers.map((h) => h.spec.name).filter((name) => values.get(existsFact(markerPath(role.role, name)).key) === true);
}

/**
 * Made before a task's changes: marks the handlers it notifies as owed. Predicts nothing the plan
 * reads; a node where the marker cannot be written loses only this guarantee, not the task.
 */
export function markChange(role: string, handlers: string[], decidedOnNode = false): Change {
  const paths = handlers.map((h) => q(markerPath(role, h)));
  if (!decidedOnNode) return { what: '', script: `{ mkdir -p ${q(OWED_HANDLERS_DIR)} && : > ${paths.join(' && : > ')}; } 2>/dev/null || true`, predict: [] };
  // Before a change the node may find nothing to do: the markers it makes are listed, so that
  // unmarkUnchanged removes those (and only those: one already owed stays owed).
  const mark = `for m in ${paths.join(' ')}; do [ -e "$m" ] || { : > "$m" && printf '%s\n' "$m" >> "$PROVISION_UNCHANGED.marked"; }; done`;
  return { what: '', script: `{ mkdir -p ${q(OWED_HANDLERS_DIR)} && ${mark}; } 2>/dev/null || true`, predict: [] };
}

/**
 * Made after a change whose outcome the node decides, marked by markChange(..., true): when the node
 * found nothing to change, the handlers it marked are not owed (a handler runs only when a task
 * notifying it really changed something).
 */
export function unmarkUnchanged(): Change {
  return {
    what: '',
    script: `{ [ ! -e "$PROVISION_UNCHANGED" ] || [ ! -f "$PROVISION_UNCHANGED.marked" ] || xargs -r -d '\n' rm -f -- < "$PROVISION_UNCHANGED.marked"; } 2>/dev/null || true`,
    predict: [],
  };
}

/** Made after a handler's changes: it is no longer owed. */
export function clearChange(role: string, handler: string): Change {
  return { what: '', script: `rm -f ${q(markerPath(role, handler))}`, predict: [] };
}
