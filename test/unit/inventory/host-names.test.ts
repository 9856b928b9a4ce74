import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError } from '../../../src/core/errors.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { runCli } from '../../helpers/cli.js';
import { thrown } from '../../helpers/inventory.js';

/**
 * A host name with a NUL or bytes that are not UTF-8 is refused where it is written (exit 3,
 * file:line:col), before host_vars/<name> is looked up or anything connects.
 */
describe('host names with NUL or invalid UTF-8', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-host-names-'));
  const inventory = (name: string, content: string | Buffer) => {
    const sub = mkdtempSync(join(dir, 'inv-'));
    // host_vars/ exists, so that each host's name would be looked up as a file name there.
    mkdirSync(join(sub, 'host_vars'));
    writeFileSync(join(sub, name), content);
    return join(sub, name);
  };
  const refused = (file: string, line: number, col: number, what: RegExp) => {
    const e = thrown(() => loadInventory(file));
    expect(e, String(e.stack)).to.be.instanceOf(InventoryError);
    expect({ file: e.file, line: e.line, col: e.col }).to.deep.equal({ file, line, col });
    expect(e.message).to.match(what);
  };

  it('INI: a NUL, a control character, invalid UTF-8', () => {
    refused(inventory('hosts.ini', '[g]\nok1\n  w\u0000x ansible_host=1.2.3.4\n'), 3, 3, /host name "w\\u0000x" holds a NUL byte/);
    refused(inventory('hosts.ini', '[g]\nw\u001b[2Jx\n'), 2, 1, /holds the control character U\+001b/);
    refused(
      inventory('hosts.ini', Buffer.concat([Buffer.from('[g]\nok1\nw'), Buffer.from([0xff, 0xfe]), Buffer.from('x\n')])),
      3,
      1,
      /holds bytes that are not valid UTF-8/,
    );
  });

  it('INI: a group name with a NUL, in a header or a children line', () => {
    refused(inventory('hosts.ini', '[g\u0000x]\nw1\n'), 1, 2, /group name "g\\u0000x" holds a NUL byte/);
    refused(inventory('hosts.ini', '[p:children]\ng\u0000x\n'), 2, 1, /group name "g\\u0000x" holds a NUL byte/);
  });

  it('YAML: a NUL (a "\\0" escape), invalid UTF-8 in a key', () => {
    refused(inventory('hosts.yml', 'all:\n  hosts:\n    ok1: {}\n    "w\\0x": {}\n'), 4, 5, /holds a NUL byte/);
    const bytes = Buffer.concat([Buffer.from('all:\n  children:\n    g:\n      hosts:\n        w'), Buffer.from([0xc3, 0x28]), Buffer.from(':\n')]);
    refused(inventory('hosts.yml', bytes), 5, 9, /holds bytes that are not valid UTF-8/);
  });

  it('a host list (-i "a,b"), and the CLI says so with exit 3', () => {
    const e = thrown(() => loadInventory('ok,w\u0001x,'));
    expect(e).to.be.instanceOf(InventoryError);
    expect(e.message).to.match(/holds the control character U\+0001/);
    const file = inventory('hosts.ini', '[g]\nw\u0000x\n');
    const r = runCli(['inventory', '-i', file, '--list']);
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.include(`${file}:2:1: host name "w\\u0000x" holds a NUL byte`);
  });
});
