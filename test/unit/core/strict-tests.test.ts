import { expect } from 'chai';

/**
 * Tests run as the product runs: ES modules, strict mode. Mocha would require() a .ts file when
 * Node can require ES modules, and tsx then compiles it to sloppy CommonJS, where a write to a
 * frozen shared plan is silently ignored; .mocharc.json's `no-experimental-require-module` makes
 * mocha import() it as the ES module it is.
 */
describe('tests run in strict mode, as ES modules', () => {
  it('a write to a frozen object throws', () => {
    const plan = Object.freeze({ host: 'a' });
    expect(() => {
      (plan as { host: string }).host = 'b';
    }).to.throw(TypeError);
  });

  it('the test file is an ES module: no CommonJS require in scope', () => {
    expect(typeof require).to.equal('undefined');
    expect(import.meta.url).to.match(/^file:.*strict-tests\.test\.ts$/);
  });
});
