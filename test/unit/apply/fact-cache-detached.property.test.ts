import { expect } from 'chai';
import fc from 'fast-check';
import { detached } from '../../../src/apply/fact-cache.js';
import { deepFreeze } from '../../../src/core/frozen-memo.js';

describe("a parsed fact kept with its texts copied (no slice keeps the gather's whole output alive)", () => {
  it('is equal to the fact as parsed, whatever its texts and shape', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }), (value, text) => {
        // Texts sliced out of a longer answer, lone surrogates included (a copy through UTF-8 would change them).
        const answer = `@@begin\n${text}${JSON.stringify(value)}\n@@end`;
        const sliced = answer.slice(8, answer.length - 6);
        expect(detached({ text: sliced, value, list: [sliced] })).to.deep.equal({ text: sliced, value, list: [sliced] });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a frozen value (a memo shares it between hosts) and what is not plain data as they are', () => {
    const shared = deepFreeze({ runtimes: ['runc'], text: 'x'.repeat(40) });
    const map = new Map([['a', 'y'.repeat(40)]]);
    const copy = detached({ shared, map, n: 1, none: null, no: undefined }) as Record<string, unknown>;
    expect(copy.shared).to.equal(shared);
    expect(copy.map).to.equal(map);
    expect(copy).to.deep.equal({ shared, map, n: 1, none: null, no: undefined });
  });
});
