import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { parseAnsibleBoolean } from '../../../src/core/ansible-boolean.js';

/**
 * Compared with Ansible's own convert_bool.boolean (Debian's ansible-core, under Debian's python3:
 * the python3 first on PATH may be another one), not with what we believe it does.
 */
describe("booleans: Ansible's one rule, checked against ansible-core", () => {
  const words = [
    'y',
    'Y',
    'yes',
    'YES',
    ' yes ',
    'on',
    'On',
    '1',
    'true',
    'True',
    't',
    'T',
    'n',
    'N',
    'no',
    'No',
    'off',
    'OFF',
    '0',
    'false',
    'FALSE',
    'f',
    '',
    ' ',
    'ye',
    'yess',
    'tru',
    'enable',
    '2',
    '-1',
    '1.0',
    '0.0',
    'null',
    'none',
    '\ty\n',
    'ｙｅｓ',
  ];
  const values: unknown[] = [...words, true, false, 1, 0, 2, -1, 1.5];

  it('gives the same answer as ansible for every word and number', function () {
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `
import json, sys
from ansible.module_utils.parsing.convert_bool import boolean
out = []
for v in json.load(sys.stdin):
    try: out.append(boolean(v, strict=True))
    except TypeError: out.append(None)
print(json.dumps(out))`,
      ],
      { input: JSON.stringify(values), encoding: 'utf8' },
    );
    if (py.status !== 0) {
      if (process.env.CI) throw new Error(`ansible-core is needed under CI: ${py.stderr}`);
      console.warn(`\n      SKIPPED: ansible-core not installed (${py.stderr.trim().split('\n').pop()})\n`);
      this.skip();
    }
    const ansible = JSON.parse(py.stdout) as (boolean | null)[];
    for (const [i, v] of values.entries()) expect(parseAnsibleBoolean(v) ?? null, JSON.stringify(v)).to.equal(ansible[i]);
  });
});
