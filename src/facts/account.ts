import type { Prediction } from '../core/change.js';
import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

export interface AccountState {
  exists: boolean;
  /** The getent fields: name, password, uid/gid, ... */
  fields: string[];
  /** For users: supplementary groups. */
  groups: string[];
}

export function accountFact(kind: 'passwd' | 'group', name: string): Fact<AccountState> {
  return {
    key: `${kind}:${name}`,
    probe: `getent ${kind} ${q(name)} && ${kind === 'passwd' ? `echo "groups $(id -nG ${q(name)})"` : 'true'}`,
    parse(out, code) {
      if (code !== 0 || !out.trim()) return { exists: false, fields: [], groups: [] };
      const [entry, groupsLine] = out.trim().split('\n');
      return {
        exists: true,
        fields: entry!.split(':'),
        groups:
          groupsLine
            ?.replace(/^groups /, '')
            .split(' ')
            .filter(Boolean) ?? [],
      };
    },
  };
}

/** What creating (or removing) the account makes of its fact. */
export function accountPrediction(exists: boolean, kind: 'passwd' | 'group', name: string): Prediction {
  return { kind: 'fact', key: accountFact(kind, name).key, value: exists ? { exists, fields: [name], groups: [] } : { exists, fields: [], groups: [] } };
}
