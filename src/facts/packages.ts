import { q } from '../transport/shell.js';
import { factOnce, memoKey } from './fact-memo.js';
import type { Fact } from './fact.js';

export interface PackageState {
  manager: 'apt' | 'dnf' | 'none';
  /** Installed packages among those asked about. */
  installed: string[];
  /** Removed packages whose config files remain (apt "rc"), which purge would clear. */
  configOnly: string[];
}

/** One fact (and its probe) for every host that asks about the same packages. */
export function packagesFact(names: string[]): Fact<PackageState> {
  return factOnce(memoKey('packages', ...names), () => makePackagesFact(names));
}

function makePackagesFact(names: string[]): Fact<PackageState> {
  const list = names.map(q).join(' ');
  return {
    key: `packages:${names.join(',')}`,
    probe: [
      `if command -v dpkg-query >/dev/null; then echo manager apt; dpkg-query -W -f='pkg ${'${Package}'} ${'${db:Status-Abbrev}'}\\n' ${list} 2>/dev/null`,
      `elif command -v rpm >/dev/null; then echo manager dnf; rpm -q --qf 'pkg %{NAME} ii\\n' ${list} 2>/dev/null | grep '^pkg '`,
      'else echo manager none; fi; true',
    ].join('\n'),
    parse(out) {
      const state: PackageState = { manager: 'none', installed: [], configOnly: [] };
      for (const line of out.split('\n')) {
        const [kind, a, b] = line.split(/\s+/);
        if (kind === 'manager') state.manager = a as PackageState['manager'];
        if (kind === 'pkg' && a) {
          if (b?.startsWith('ii') || b?.startsWith('hi')) state.installed.push(a);
          else if (b?.startsWith('rc')) state.configOnly.push(a);
        }
      }
      return state;
    },
  };
}
