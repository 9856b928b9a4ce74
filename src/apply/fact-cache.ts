import { NodeAnswerError } from '../core/errors.js';
import type { Prediction } from '../core/change.js';
import type { Fact, FactValues } from '../facts/fact.js';
import { probeScript } from '../facts/probe-script.js';
import type { Transport } from '../transport/transport.js';

/**
 * A host's facts for the run. The first need gathers the facts of every task still to come in
 * one script (one round trip); a change on the host makes them stale, and the next need gathers
 * again. Facts about the outside world (checksum files) survive changes.
 */
export class FactCache {
  readonly values: FactValues = new Map();
  private readonly facts = new Map<string, Fact<unknown>>();

  constructor(private readonly transport: Transport) {}

  async need(facts: readonly Fact<unknown>[], upcoming: () => readonly Fact<unknown>[]): Promise<FactValues> {
    if (this.has(facts)) return this.values;
    const gather = this.gather([...facts, ...upcoming()]);
    const r = await this.transport.run(gather.script, { timeoutMs: 300_000 });
    gather.absorb(r.stdout, r.code, r.stderr);
    return this.values;
  }

  has(facts: readonly Fact<unknown>[]): boolean {
    return facts.every((f) => this.values.has(f.key));
  }

  /**
   * The probes of the facts not known yet, as one script, and how to take in what it printed; the
   * apply runs it at the end of an apply script, so gathering after them costs no round trip.
   */
  gather(
    facts: readonly Fact<unknown>[],
    opts: { fresh?: boolean; record?: boolean } = {},
  ): { script: string; absorb(stdout: string, code: number, stderr: string): void } {
    const wanted = new Map<string, Fact<unknown>>();
    // fresh: for after changes still to be made, when only what outlives them stays known.
    const known = (key: string) => this.values.has(key) && (!opts.fresh || !!this.facts.get(key)?.outlivesChanges);
    for (const f of facts) if (!known(f.key)) wanted.set(f.key, f);
    const probes = probeScript([...wanted.values()], { record: opts.record });
    return {
      script: probes.script,
      absorb: (stdout, code, stderr) => {
        let parsed: FactValues;
        try {
          parsed = probes.parse(stdout);
        } catch (e) {
          // What the node answered does not fit: this host's failure (never "unreachable", never the run's).
          const why = e instanceof NodeAnswerError ? e.message.replace(/^node answered something provision cannot read: /, '') : (e as Error).message;
          throw new NodeAnswerError(`${why} (the gather's exit ${code}; stderr: ${stderr.trim().slice(-500)})`, { host: this.transport.host, cause: e });
        }
        for (const [k, v] of parsed) {
          this.values.set(k, detached(v));
          this.facts.set(k, wanted.get(k)!);
        }
      },
    };
  }

  /**
   * Check mode changes nothing, so facts cannot be gathered again after a planned change; the
   * planner's predictions stand in for them (a directory it would create exists for later tasks).
   * Each fact knows what a prediction makes of it; a prediction may also name a fact by its key.
   */
  predict(predictions: Prediction[]): void {
    for (const p of predictions) {
      for (const [key, value] of this.values) {
        const next = p.kind === 'fact' ? (key === p.key ? p.value : undefined) : this.facts.get(key)?.predict?.(value, p);
        if (next !== undefined) this.values.set(key, next);
      }
    }
  }

  /**
   * A copy that shares nothing: the preflight gathers a host's facts once, plans on predictions
   * in one copy and hands an unpredicted copy to the real run, which needs no second gather.
   */
  fork(): FactCache {
    const copy = new FactCache(this.transport);
    for (const [k, v] of this.values) copy.values.set(k, v);
    for (const [k, f] of this.facts) copy.facts.set(k, f);
    return copy;
  }

  invalidate(): void {
    for (const key of [...this.values.keys()]) {
      if (this.facts.get(key)?.outlivesChanges) continue;
      this.values.delete(key);
      this.facts.delete(key);
    }
  }
}

/** V8 copies a shorter substring rather than slicing it. */
const SLICED_MIN = 13;
/** Texts this long are kept once for every host that answers them (containerd's config dump: some 6 KiB, the same on every node of a class). */
const SHARED_MIN = 1024;
/** At most this many characters of shared texts (4 MiB); past it, sharing starts again (texts are copied, never wrong). */
const SHARED_BUDGET = 2 * 1024 * 1024;
const sharedTexts = new Map<string, string>();
let sharedChars = 0;

/** A flat copy of a text, the one every host shares when it is long. */
function copied(text: string): string {
  if (text.length < SLICED_MIN) return text;
  const known = text.length >= SHARED_MIN ? sharedTexts.get(text) : undefined;
  if (known !== undefined) return known;
  const copy = Buffer.from(text, 'utf16le').toString('utf16le');
  if (text.length >= SHARED_MIN) {
    if (sharedChars + text.length > SHARED_BUDGET) {
      sharedTexts.clear();
      sharedChars = 0;
    }
    sharedTexts.set(copy, copy);
    sharedChars += text.length;
  }
  return copy;
}

/**
 * A parsed fact with its texts copied: a parser's slice of the gather's output is a V8 sliced string that
 * keeps the whole output alive (some 10 KiB a host, a thousand hosts in flight at forks 1,000) for as
 * long as the host keeps the fact; a long text is kept once for all hosts. Plain objects and arrays are copied through; a frozen value is one a memo
 * shares between hosts (core/frozen-memo.ts), and anything else is not a parser's: both are kept as they are.
 */
export function detached(value: unknown): unknown {
  if (typeof value === 'string') return copied(value);
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) return value.map(detached);
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = detached(v);
    return out;
  }
  return value;
}
