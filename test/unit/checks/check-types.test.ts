import { expect } from 'chai';
import { CHECK_TYPES } from '../../../src/checks/check-list.js';
import { batchScript } from '../../../src/facts/probe-batch.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/** Each check type, table-driven: its facts probed for real on this machine, then judged. */
interface Case {
  name: string;
  type: string;
  args: Record<string, unknown>;
  failures: (string | RegExp)[];
}

const cases: Case[] = [
  { name: 'a unit that does not exist is not active', type: 'unit', args: { name: 'provision-no-such.service' }, failures: ['provision-no-such.service is inactive'] },
  { name: 'a unit that does not exist is not running either', type: 'unit', args: { name: 'provision-no-such.service', active: false }, failures: [] },
  { name: 'a command that succeeds with matching output', type: 'command', args: { argv: ['printf', 'Server:\\n  Version: 1\\n'], stdout: '^Server:' }, failures: [] },
  { name: 'a command whose output does not match', type: 'command', args: { argv: ['echo', 'Client only'], stdout: '^Server:', what: 'no server' }, failures: ['no server: output does not match /^Server:/: Client only'] },
  { name: 'a failing command, with its last line', type: 'command', args: { argv: ['sh', '-c', 'echo dial failed; exit 3'] }, failures: ['sh -c echo dial failed; exit 3: exit 3: dial failed'] },
  { name: 'argv words are never shell', type: 'command', args: { argv: ['echo', '$(echo PWNED); touch /tmp/provision-check-canary'] }, failures: [] },
  { name: 'absent paths and commands', type: 'absent', args: { paths: ['/nonexistent/dockerd'], commands: ['provision-no-such-command'] }, failures: [] },
  { name: 'a present path and command are named', type: 'absent', args: { paths: ['/nonexistent/x', '/bin/sh'], commands: ['sh'], what: 'still there' }, failures: [/^still there: \/bin\/sh, \/(usr\/)?bin\/sh$/] },
];

describe('check types (verify:), on this machine', () => {
  for (const c of cases) {
    it(`${c.type}: ${c.name}`, async () => {
      const type = CHECK_TYPES[c.type]!;
      const batch = batchScript(type.facts(c.args));
      const values = batch.parse((await new LocalTransport().run(batch.script)).stdout);
      const { failures } = type.judge(c.args, values);
      expect(failures).to.have.length(c.failures.length);
      c.failures.forEach((f, i) => (typeof f === 'string' ? expect(failures[i]).to.equal(f) : expect(failures[i]).to.match(f)));
    });
  }

  it('the argv check ran nothing of its words', async () => {
    const { existsSync } = await import('node:fs');
    expect(existsSync('/tmp/provision-check-canary')).to.equal(false);
  });
});
