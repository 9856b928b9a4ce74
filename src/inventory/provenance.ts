import type { Vars } from '../core/vars.js';

/** Where a variable's value was written: an inventory or vars file, or `-e` (line = which `-e`, col = where in it). */
export interface Origin {
  file: string;
  line?: number;
  col?: number;
}

/**
 * Origins ride beside the values, keyed by the vars object, so the values stay plain data
 * (`inventory --list` prints them, Ansible's precedence merges them) and a refused value can still
 * be traced to the file and line that set it.
 */
const ORIGINS = new WeakMap<Vars, Map<string, Origin>>();

export function setOrigin(vars: Vars, key: string, origin: Origin | undefined): void {
  let map = ORIGINS.get(vars);
  if (!origin) {
    map?.delete(key);
    return;
  }
  if (!map) {
    map = new Map();
    ORIGINS.set(vars, map);
  }
  map.set(key, origin);
}

export function originOf(vars: Vars, key: string): Origin | undefined {
  return ORIGINS.get(vars)?.get(key);
}

/** `Object.assign` for vars: later sources win, and each key keeps the origin of the source it came from. */
export function assignVars(target: Vars, ...sources: (Vars | undefined)[]): Vars {
  for (const source of sources) {
    if (!source) continue;
    for (const key of Object.keys(source)) {
      target[key] = source[key];
      setOrigin(target, key, originOf(source, key));
    }
  }
  return target;
}

/** A shallow copy that keeps the origins. */
export const copyVars = (vars: Vars): Vars => assignVars({}, vars);
