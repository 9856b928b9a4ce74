import { expect } from 'chai';
import fc from 'fast-check';
import { archiveFact } from '../../../src/facts/archive.js';
import { configDumpFact } from '../../../src/facts/config-dump.js';
import { downloadFact } from '../../../src/facts/download-receipt.js';
import { existsFact } from '../../../src/facts/exists.js';
import { factOnce, memoKey } from '../../../src/facts/fact-memo.js';
import { pathFact } from '../../../src/facts/path.js';
import { unitFact } from '../../../src/facts/unit-state.js';

/** Facts are made once per distinct question: the same arguments give the same (frozen) fact, any other argument another. */
describe('facts made once per question', () => {
  const word = fc.stringMatching(/^[a-z/.|'" ]{1,8}$/);

  it('the same arguments give the same fact; a changed argument gives a fact of its own (property)', () => {
    fc.assert(
      fc.property(word, word, fc.boolean(), fc.boolean(), fc.nat(3), (a, b, x, y, n) => {
        const pairs: [() => { key: string; probe: string }, () => { key: string; probe: string }][] = [
          [() => pathFact(a, { sha256: x, content: y }), () => pathFact(b, { sha256: !x, content: y })],
          [() => pathFact(a, { sha256: x, content: y }), () => pathFact(a, { sha256: x, content: !y })],
          [() => existsFact(a), () => existsFact(`${a}x`)],
          [() => unitFact(a), () => unitFact(`${a}x`)],
          [() => downloadFact(a, b, undefined, x), () => downloadFact(a, b, undefined, !x)],
          [() => downloadFact(a, b, a, x), () => downloadFact(a, b, undefined, x)],
          [() => archiveFact(a, b, n, [a], x), () => archiveFact(a, b, n, [a, b], x)],
          [() => archiveFact(a, b, n, [a], x), () => archiveFact(a, b, n + 1, [a], x)],
          [() => configDumpFact(a, b, '/d/*.toml'), () => configDumpFact(a, b, '/e/*.toml')],
        ];
        for (const [one, other] of pairs) {
          expect(one()).to.equal(one());
          expect(Object.isFrozen(one())).to.equal(true);
          expect(other()).to.not.equal(one());
          expect([other().key, other().probe]).to.not.deep.equal([one().key, one().probe]);
        }
      }),
    );
  });

  it('an array argument changed after the fact was made does not change the fact', () => {
    const include = ['bin/a'];
    const before = archiveFact('/s.tgz', '/d', 0, include);
    include.push('bin/b');
    expect(archiveFact('/s.tgz', '/d', 0, include)).to.not.equal(before);
    expect(archiveFact('/s.tgz', '/d', 0, ['bin/a'])).to.equal(before);
    expect(before.probe).to.not.include('bin/b');
  });

  it('keys are unambiguous: arguments that join to the same text are different keys', () => {
    expect(memoKey('k', 'a,b', 'c')).to.not.equal(memoKey('k', 'a', 'b,c'));
    const value = fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.constant(undefined), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), fc.array(value, { maxLength: 4 }), (a, b) => {
        // Equal keys only for equal arguments (JSON tells them apart, as types: "1" is not 1).
        const same = JSON.stringify(a.map((x) => [typeof x, x])) === JSON.stringify(b.map((x) => [typeof x, x]));
        expect(memoKey('k', ...a) === memoKey('k', ...b)).to.equal(same);
      }),
    );
    let made = 0;
    const make = () => ({ key: String(++made), probe: '', parse: () => 0 });
    expect(factOnce(memoKey('test', 1), make)).to.equal(factOnce(memoKey('test', 1), make));
    expect(factOnce(memoKey('test', 2), make).key).to.equal('2');
  });
});
