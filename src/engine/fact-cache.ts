import { TaskError } from '../core/errors.js';
import type { Prediction } from '../core/plan.js';
import type { Fact, FactValues } from '../facts/fact.js';
import { batchScript } from '../facts/probe-batch.js';
import type { Transport } from '../transport/transport.js';

/**
 * A host's facts for the run. The first need gathers the facts of every task still to come in
 * one script (one round trip); a change on the host makes them stale, and the next need gathers
 * again. URL facts (checksum files) describe the outside world and survive changes.
 */
export class FactCache {
  readonly values: FactValues = new Map();

  constructor(private readonly transport: Transport) {}

  async need(facts: Fact<unknown>[], upcoming: () => Fact<unknown>[]): Promise<FactValues> {
    if (facts.every((f) => this.values.has(f.key))) return this.values;
    const wanted = new Map<string, Fact<unknown>>();
    for (const f of [...facts, ...upcoming()]) if (!this.values.has(f.key)) wanted.set(f.key, f);
    const batch = batchScript([...wanted.values()]);
    const r = await this.transport.run(batch.script, { timeoutMs: 300_000 });
    let parsed: FactValues;
    try {
      parsed = batch.parse(r.stdout);
    } catch (e) {
      throw new TaskError(`gathering facts failed (exit ${r.code}): ${(e as Error).message}; stderr: ${r.stderr.trim().slice(0, 500)}`, { host: this.transport.host });
    }
    for (const [k, v] of parsed) this.values.set(k, v);
    return this.values;
  }

  /**
   * Check mode changes nothing, so facts cannot be gathered again after a planned change; the
   * planner's predictions stand in for them (a directory it would create exists for later tasks).
   */
  predict(predictions: Prediction[]): void {
    for (const p of predictions) {
      for (const key of [...this.values.keys()]) {
        if (p.kind === 'fact' && key === p.key) this.values.set(key, p.value);
        if (p.kind === 'path' && new RegExp(`^path:[sc]*:${escape(p.path)}$`).test(key)) {
          this.values.set(key, p.state.exists === false ? { exists: false } : { ...(this.values.get(key) as object), ...p.state });
        }
        if (p.kind === 'path' && key === `exists:${p.path}`) this.values.set(key, p.state.exists !== false);
        if ((p.kind === 'unit' || p.kind === 'unit-file') && sameUnit(key, p.name)) {
          const current = this.values.get(key) as { loadState?: string };
          const state = p.kind === 'unit' ? p.state
            : current.loadState === 'not-found' ? { loadState: 'loaded', unitFileState: 'disabled', activeState: 'inactive', needDaemonReload: false }
              : { needDaemonReload: true };
          this.values.set(key, { ...current, ...state });
        }
        if (p.kind === 'daemon-reload' && key.startsWith('unit:')) this.values.set(key, { ...(this.values.get(key) as object), needDaemonReload: false });
      }
    }
  }

  invalidate(): void {
    for (const key of [...this.values.keys()]) if (!key.startsWith('url:')) this.values.delete(key);
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `unit:kubelet` and `unit:kubelet.service` are the same unit. */
const sameUnit = (key: string, name: string) => key.replace(/\.service$/, '') === `unit:${name.replace(/\.service$/, '')}`;
