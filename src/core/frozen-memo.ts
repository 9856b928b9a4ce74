/**
 * Memos for what the controller derives, per host, from values a plan class shares. Hosts of a class
 * share their tasks' and checks' arguments, deep-frozen (plan-classes.ts), so what is made from
 * them alone (a task's facts, a check's facts) is the same for every host of the class: made once,
 * not once per host and per pass. A value that is not frozen may still change: it is never memoized.
 */

interface Entry<T> {
  inputs: Readonly<Record<string, unknown>>;
  value: T;
}

/**
 * What `make` derives from `shared` (frozen, compared by identity) and `inputs` (every other thing
 * it reads, compared key by key with ===). Entries die with `shared`.
 */
export class FrozenMemo<T> {
  private readonly entries = new WeakMap<object, Entry<T>[]>();

  get(shared: object, inputs: Readonly<Record<string, unknown>>, make: () => T): T {
    if (!Object.isFrozen(shared)) return make();
    let list = this.entries.get(shared);
    if (!list) {
      list = [];
      this.entries.set(shared, list);
    }
    for (const e of list) if (sameInputs(e.inputs, inputs)) return e.value;
    const value = make();
    // A few contexts per value at most (a preflight's and a run's): a list searched in order is enough.
    list.push({ inputs: { ...inputs }, value });
    return value;
  }
}

function sameInputs(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
  return true;
}

/**
 * The last few results of a pure function of one string (a node's config dump: a real fleet's
 * nodes print the same text), so a parse is made once per distinct text. Results are frozen:
 * every caller shares them.
 */
export class TextMemo<T> {
  private readonly results = new Map<string, T>();

  constructor(private readonly size = 8) {}

  get(text: string, make: (text: string) => T): T {
    const known = this.results.get(text);
    if (known !== undefined || this.results.has(text)) return known as T;
    const value = deepFreeze(make(text));
    if (this.results.size >= this.size) this.results.delete(this.results.keys().next().value!);
    this.results.set(text, value);
    return value;
  }
}

/** Shared values are frozen, so code that would change one host's value fails rather than changing every host's. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
