import type { Fact } from './fact.js';

// Enough for every distinct fact of a large fleet's plan classes; past it, the memo starts again (facts are remade, never wrong).
const LIMIT = 20_000;
const made = new Map<string, Fact<unknown>>();

/**
 * A fact made once per distinct question. Plans ask for their facts again to find their keys, each
 * host and pass, and a fact's probe costs shell quoting and a hash of its receipt's name: a fact is a
 * pure function of its constructor's arguments, so one object serves every host. `key` must name the
 * constructor and every argument it reads (see `memoKey`). Facts are frozen: they are shared.
 */
export function factOnce<T>(key: string, make: () => Fact<T>): Fact<T> {
  let fact = made.get(key);
  if (!fact) {
    if (made.size >= LIMIT) made.clear();
    fact = Object.freeze(make()) as Fact<unknown>;
    made.set(key, fact);
  }
  return fact as Fact<T>;
}

/**
 * A memo key: the constructor's name and its arguments, unambiguous whatever text they hold. Strings
 * without a NUL (every path, URL and unit name: the shell cannot pass a NUL) are joined by NULs, each
 * after a type letter; anything else is JSON, which starts with a character no joined key starts with.
 */
export function memoKey(kind: string, ...args: unknown[]): string {
  let key = `\0${kind}`;
  for (const a of args) {
    if (typeof a === 'string' && !a.includes('\0')) key += `\0s${a}`;
    else if (typeof a === 'boolean' || typeof a === 'number') key += `\0${typeof a === 'boolean' ? 'b' : 'n'}${a}`;
    else if (a === undefined) key += '\0u';
    else return JSON.stringify([kind, ...args]);
  }
  return key;
}
