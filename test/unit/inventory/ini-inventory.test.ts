import { expect } from 'chai';
import { InventoryError } from '../../../src/core/errors.js';
import { formatError } from '../../../src/cli/format-error.js';
import { dedent, iniInventory, thrown } from '../../helpers/inventory.js';

describe('INI inventory (Ansible grammar)', () => {
  it('puts hosts before the first section into ungrouped, and every group under all', () => {
    const inv = iniInventory(
      dedent(`
      lonely
      [web]
      web1
    `),
    );
    expect(inv.groups.get('ungrouped')!.hosts).to.deep.equal(['lonely']);
    expect(inv.groups.get('all')!.children).to.deep.equal(['ungrouped', 'web']);
    expect(inv.hostVars('web1').group_names).to.deep.equal(['web']);
  });

  // On host lines shlex removes the quotes first, so ver='1.26' is the number 1.26 (as in Ansible).
  it('reads host variables as Python literals, like ansible-core', () => {
    const inv = iniInventory(
      dedent(`
      [w]
      h1 ansible_host=10.0.0.1 ansible_port=2301 flag=True nothing=None word=yes quoted="a b" list="['x', 'y']" ver='1.26' num=1.26 dict="{'k': 1}"
    `),
    );
    expect(inv.host('h1').vars).to.deep.equal({
      ansible_host: '10.0.0.1',
      ansible_port: 2301,
      flag: true,
      nothing: null,
      word: 'yes',
      quoted: 'a b',
      list: ['x', 'y'],
      ver: 1.26,
      num: 1.26,
      dict: { k: 1 },
    });
  });

  it('reads [group:vars] values (the whole text after =) and [group:children]', () => {
    const inv = iniInventory(
      dedent(`
      [a]
      h1
      [b:children]
      a   # a comment after a child
      [b:vars]
      greeting = hello world ; not a comment in Ansible
      roles=['x', 'y']
    `),
    );
    expect(inv.groups.get('b')!.children).to.deep.equal(['a']);
    expect(inv.groups.get('b')!.vars).to.deep.equal({ greeting: 'hello world ; not a comment in Ansible', roles: ['x', 'y'] });
    expect(inv.groupHosts('b')).to.deep.equal(['h1']);
  });

  it('creates a child group that is only named under [x:children]', () => {
    const inv = iniInventory('[parent:children]\nkid\n[kid]\nh\n');
    expect(
      inv
        .hostGroups('h')
        .map((g) => g.name)
        .sort(),
    ).to.deep.equal(['all', 'kid', 'parent']);
  });

  it('skips # and ; comment lines and inline # comments on host lines', () => {
    const inv = iniInventory('# c\n; c\n[w]\nh1 a=1 # trailing\n');
    expect(inv.host('h1').vars).to.deep.equal({ a: 1 });
  });

  const ranges: [string, string[]][] = [
    ['worker[01:03]', ['worker01', 'worker02', 'worker03']],
    ['w[8:10]', ['w8', 'w9', 'w10']],
    ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
    ['n[01:10:4]', ['n01', 'n05', 'n09']],
    ['r[1:2]-[a:b]', ['r1-a', 'r1-b', 'r2-a', 'r2-b']],
  ];
  for (const [pattern, hosts] of ranges) {
    it(`expands the range ${pattern}`, () => {
      expect([...iniInventory(`[g]\n${pattern}\n`).hosts.keys()]).to.deep.equal(hosts);
    });
  }

  it('takes host:port as ansible_port, an explicit ansible_port winning', () => {
    const inv = iniInventory('[g]\nh1:2201\nh2:2202 ansible_port=22\nw[1:2]:2300\n[::1]:2400\n');
    expect(inv.host('h1').vars.ansible_port).to.equal(2201);
    expect(inv.host('h2').vars.ansible_port).to.equal(22);
    expect(inv.host('w2').vars.ansible_port).to.equal(2300);
    expect(inv.host('::1').vars.ansible_port).to.equal(2400);
  });

  const malformed: [string, string, number, number, RegExp][] = [
    ['bad section type', '[w]\nh1\n[w:kids]\nh2\n', 3, 4, /unknown type "kids"/],
    ['host variable without =', '[w]\nh1 a=1 oops\n', 2, 8, /expected key=value host variable assignment, got "oops"/],
    ['vars line without =', '[w:vars]\n  novalue\n', 2, 3, /expected key=value/],
    ['unclosed quote', '[w]\nh1 a="b\n', 2, 6, /No closing quotation/],
    ['bad range', '[w]\nw[01:3]\n', 2, 1, /equal-length/],
    ['range without end', '[w]\nw[1:]\n', 2, 1, /end value/],
    ['broken section header', '[w x]\nh\n', 1, 1, /invalid section header/],
    ['bad port', '[w]\nh1:ssh\n', 2, 1, /invalid port "ssh"/],
    ['children cycle', '[a:children]\nb\n[b:children]\na\n', 4, 1, /cycle/],
  ];
  for (const [what, text, line, col, message] of malformed) {
    it(`rejects ${what} at ${line}:${col}`, () => {
      const e = thrown(() => iniInventory(text, 'inv/hosts'));
      expect(e).to.be.instanceOf(InventoryError);
      expect(e.message).to.match(message);
      expect(formatError(e)).to.match(new RegExp(`^error: inv/hosts:${line}:${col}: `));
      expect({ file: e.file, line: e.line, col: e.col }).to.deep.equal({ file: 'inv/hosts', line, col });
    });
  }
});
