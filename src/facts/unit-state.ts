import { q } from '../transport/shell.js';
import { factOnce, memoKey } from './fact-memo.js';
import type { Fact, ProbeGroup } from './fact.js';

export interface UnitState {
  loadState: string;
  activeState: string;
  unitFileState: string;
  needDaemonReload: boolean;
}

/** `kubelet` and `kubelet.service` are the same unit. */
const sameUnit = (a: string, b: string) => a.replace(/\.service$/, '') === b.replace(/\.service$/, '');

const PROPERTIES = '-p LoadState -p ActiveState -p UnitFileState -p NeedDaemonReload';

/**
 * Every unit in one `systemctl show`, which prints one block per unit, in order, blank lines between.
 * A name systemd refuses ends that call; then each unit is shown on its own, as its own probe would be.
 */
const UNITS: ProbeGroup = {
  id: 'unit',
  probe(items) {
    const list = items.map(q).join(' ');
    return `systemctl show ${PROPERTIES} -- ${list} 2>/dev/null && echo || { echo @each; for u in ${list}; do systemctl show ${PROPERTIES} -- "$u" 2>&1; echo; done; }`;
  },
  split(out) {
    const at = out.lastIndexOf('@each\n');
    const body = at >= 0 ? out.slice(at + 6) : out;
    return body.replace(/\n+$/, '').split('\n\n');
  },
};

export function unitFact(name: string): Fact<UnitState> {
  return factOnce(memoKey('unit', name), () => makeUnitFact(name));
}

function makeUnitFact(name: string): Fact<UnitState> {
  return {
    key: `unit:${name}`,
    probe: `systemctl show ${q(name)} ${PROPERTIES}`,
    group: { by: UNITS, item: name },
    parse(out) {
      const v: Record<string, string> = {};
      for (const line of out.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) v[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return {
        loadState: v.LoadState ?? 'not-found',
        activeState: v.ActiveState ?? 'inactive',
        unitFileState: v.UnitFileState ?? '',
        needDaemonReload: v.NeedDaemonReload === 'yes',
      };
    },
    predict(value, p) {
      if (p.kind === 'daemon-reload') return { ...value, needDaemonReload: false };
      if (p.kind === 'unit' && sameUnit(p.name, name)) return { ...value, ...p.state };
      if (p.kind === 'unit-file' && sameUnit(p.name, name)) {
        // A unit systemd did not know becomes loaded and disabled; a known one needs daemon-reload.
        return value.loadState === 'not-found'
          ? { ...value, loadState: 'loaded', unitFileState: 'disabled', activeState: 'inactive', needDaemonReload: false }
          : { ...value, needDaemonReload: true };
      }
      return undefined;
    },
  };
}
