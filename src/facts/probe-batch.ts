import { randomBytes } from 'node:crypto';
import type { Fact, FactValues } from './fact.js';

/**
 * All probes of a host in one script, so gathering costs one round trip. Each probe runs in its
 * own subshell between markers carrying a random nonce, which no probe output can forge.
 */
export function batchScript(facts: Fact<unknown>[]): { script: string; parse(stdout: string): FactValues } {
  const nonce = randomBytes(6).toString('hex');
  const begin = (i: number) => `@@provision-${nonce}-begin ${i}`;
  const lines = facts.map((f, i) => `echo '${begin(i)}'\n( ${f.probe}\n) 2>&1\necho "@@provision-${nonce}-end ${i} $?"`);
  return {
    script: `export LC_ALL=C\n${lines.join('\n')}\n`,
    parse(stdout: string): FactValues {
      const values: FactValues = new Map();
      facts.forEach((f, i) => {
        const start = stdout.indexOf(`${begin(i)}\n`);
        const endMatch = new RegExp(`@@provision-${nonce}-end ${i} (\\d+)\\n`).exec(stdout.slice(start));
        if (start < 0 || !endMatch) throw new Error(`probe ${i} (${f.key}) printed no result`);
        const body = stdout.slice(start + begin(i).length + 1, start + endMatch.index);
        values.set(f.key, f.parse(body, Number(endMatch[1])));
      });
      return values;
    },
  };
}
