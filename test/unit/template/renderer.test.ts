import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateError } from '../../../src/core/errors.js';
import { TemplateRenderer } from '../../../src/template/renderer.js';
import { forgetSecrets, holdsSecret, registerSecret } from '../../../src/core/secrets.js';
import fc from 'fast-check';
import { thrown } from '../../helpers/inventory.js';

describe('template renderer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-tpl-'));
  const engine = new TemplateRenderer(dir);
  const render = (text: string, vars: Record<string, unknown>) => engine.renderString(text, vars, 'test');

  const cases: [string, string, Record<string, unknown>, string][] = [
    ['joins adjacent numbers instead of adding them (handlebars 4.7 noEscape bug)', '{{a}}{{b}}', { a: 1, b: 2 }, '12'],
    ['joins adjacent numbers inside blocks too', '{{#each l}}{{this}}{{@index}}{{/each}}', { l: [7, 8] }, '7081'],
    ['does not HTML-escape', '{{v}}', { v: 'a=b "c" <d> &e' }, 'a=b "c" <d> &e'],
    ['quotes TOML strings', '{{toml v}}', { v: 'say "hi"\\n' }, '"say \\"hi\\"\\\\n"'],
    ['writes TOML arrays and numbers', '{{toml v}}', { v: ['a', 1, true] }, '["a", 1, true]'],
    ['quotes TOML keys that need it', '{{tomlKey k}} {{tomlKey j}}', { k: 'plain_key-1', j: 'docker.io' }, 'plain_key-1 "docker.io"'],
    ['merges deeply, later winning, lists replaced', '{{json (merge a b)}}', { a: { x: { y: 1, z: [1] } }, b: { x: { z: [2] } } }, '{"x":{"y":1,"z":[2]}}'],
    ['compares versions', '{{#if (versionAtLeast v "1.27")}}new{{else}}old{{/if}}', { v: '1.26.3' }, 'old'],
  ];
  for (const [what, text, vars, out] of cases) {
    it(what, () => expect(render(text, vars)).to.equal(out));
  }

  it('fills {{sh path}} in directly exactly as Handlebars renders it (property: through concat, Handlebars renders it)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer()), fc.string(), (v, around) => {
        const text = (inner: string) => `${around.replace(/[{}\\]/g, '')} kubectl drain {{sh ${inner}}} --x={{ sh n.v }}`;
        const vars = { v, n: { v } };
        expect(render(text('v'), vars)).to.equal(render(text('(concat v)'), vars));
      }),
    );
  });

  it('{{sh path}} of a secret, filled in directly, is a secret; a non-scalar value goes through Handlebars', () => {
    // Quoting changes the secret's text: only registering the result keeps it masked.
    registerSecret("it's s3cr3t");
    try {
      const out = render('{{sh token}}', { token: "it's s3cr3t" });
      expect(out).to.equal(`'it'\\''s s3cr3t'`);
      expect(holdsSecret(out)).to.equal(true);
    } finally {
      forgetSecrets();
    }
    expect(render('{{sh l}}', { l: ['a b'] })).to.equal(render('{{sh (concat l)}}', { l: ['a b'] }));
  });

  it('fails on a missing variable with the template position', () => {
    writeFileSync(join(dir, 'm.hbs'), 'line one\n  x = {{missing_var}}\n');
    const e = thrown(() => engine.renderFile('m.hbs', {}));
    expect(e).to.be.instanceOf(TemplateError);
    expect(e.message).to.equal('"missing_var" not defined in [object Object]');
    expect((e as unknown as TemplateError).location).to.equal(`${join(dir, 'm.hbs')}:2:9`);
  });

  it('evaluates when: expressions with not and helpers', () => {
    const vars = { on: true, off: false, list: ['runc', 'runsc'] };
    expect(engine.test('on', vars, 't')).to.equal(true);
    expect(engine.test('off', vars, 't')).to.equal(false);
    expect(engine.test('not off', vars, 't')).to.equal(true);
    expect(engine.test('(includes list "runsc")', vars, 't')).to.equal(true);
    expect(engine.test('(includes list "kata")', vars, 't')).to.equal(false);
  });

  it('keeps the type of a value that is exactly one {{ path }}', () => {
    const vars = { list: ['a', 'b'], m: { k: 3 } };
    expect(engine.renderValue('{{list}}', vars, 't')).to.deep.equal(['a', 'b']);
    expect(engine.renderValue('{{ m.k }}', vars, 't')).to.equal(3);
    expect(engine.renderValue('x{{m.k}}', vars, 't')).to.equal('x3');
  });
});
