import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A library loaded on first use rather than at start-up, for one that only some runs need (a diff
 * only with changes to show, a TOML parser only when verifying): every command starts faster.
 */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) loaded = require(name) as T;
    return loaded;
  };
}
