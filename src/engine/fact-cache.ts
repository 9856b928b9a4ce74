import { TaskError } from '../core/errors.js';
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

  invalidate(): void {
    for (const key of [...this.values.keys()]) if (!key.startsWith('url:')) this.values.delete(key);
  }
}
