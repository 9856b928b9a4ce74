import { randomBytes } from 'node:crypto';
import { RECORD_ENV } from '../core/constants.js';
import type { Fact, FactValues, ProbeGroup } from './fact.js';
import { misfit } from './node-answer.js';

interface Section {
  probe: string;
  what: string;
  read(body: string, code: number, values: FactValues): void;
}

/**
 * All probes of a host in one script, so gathering costs one round trip. Each probe runs in its
 * own subshell between markers carrying a random nonce, which no probe output can forge. Facts of
 * one group (see ProbeGroup) share one probe: one section answers all of them. `record`: the gather
 * runs inside an apply script, where probes may keep receipts (RECORD_ENV).
 */
export function probeScript(facts: Fact<unknown>[], opts: { record?: boolean } = {}): { script: string; parse(stdout: string): FactValues } {
  const nonce = randomBytes(6).toString('hex');
  const begin = (i: number) => `@@provision-${nonce}-begin ${i}`;
  const sections = sectionsOf(facts);
  const lines = sections.map((s, i) => `echo '${begin(i)}'\n( ${s.probe}\n) 2>&1\necho "@@provision-${nonce}-end ${i} $?"`);
  return {
    script: `export LC_ALL=C${opts.record ? ` ${RECORD_ENV}=1` : ''}\n${lines.join('\n')}\n`,
    parse(stdout: string): FactValues {
      const values: FactValues = new Map();
      // One forward scan: each section is looked for after the previous one (linear in the answer).
      let pos = 0;
      sections.forEach((s, i) => {
        const start = stdout.indexOf(`${begin(i)}\n`, pos);
        const endMark = `@@provision-${nonce}-end ${i} `;
        const end = start < 0 ? -1 : stdout.indexOf(endMark, start);
        const eol = end < 0 ? -1 : stdout.indexOf('\n', end);
        const code = eol < 0 ? '' : stdout.slice(end + endMark.length, eol);
        if (start < 0 || end < 0 || !/^\d+$/.test(code)) misfit(`the gather's probe ${i} (${s.what.slice(0, 200)})`, 'printed no result');
        s.read(stdout.slice(start + begin(i).length + 1, end), Number(code), values);
        pos = eol + 1;
      });
      return values;
    },
  };
}

function sectionsOf(facts: Fact<unknown>[]): Section[] {
  const sections: Section[] = [];
  const groups = new Map<string, { by: ProbeGroup; facts: Fact<unknown>[] }>();
  for (const f of facts) {
    if (!f.group) {
      sections.push({ probe: f.probe, what: f.key, read: (body, code, values) => values.set(f.key, f.parse(body, code)) });
      continue;
    }
    const g = groups.get(f.group.by.id) ?? { by: f.group.by, facts: [] };
    groups.set(f.group.by.id, g);
    g.facts.push(f);
  }
  for (const { by, facts: members } of groups.values()) {
    const items = members.map((f) => f.group!.item);
    sections.push({
      probe: by.probe(items),
      what: `${by.id}: ${items.join(', ').slice(0, 200)}`,
      read(body, code, values) {
        const each = by.split(body, items);
        if (each.length !== items.length) misfit(`the gather's probe of ${by.id}`, `answered for ${each.length} of ${items.length}`);
        members.forEach((f, i) => {
          values.set(f.key, f.parse(each[i]!, code));
        });
      },
    });
  }
  return sections;
}
