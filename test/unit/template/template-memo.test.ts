import { expect } from 'chai';
import Handlebars from 'handlebars';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateError } from '../../../src/core/errors.js';
import { TemplateRenderer } from '../../../src/template/renderer.js';
import { parseTemplate } from '../../../src/template/parse-cache.js';
import { inputKey, templateInputs } from '../../../src/template/template-inputs.js';
import { templateVariables } from '../../../src/template/template-variables.js';
import { thrown } from '../../helpers/inventory.js';

const inputs = (text: string, partials: Record<string, string> = {}, helpers: string[] = ['toml', 'sh', 'each', 'if', 'with']) =>
  templateInputs(Handlebars.parse(text), new Map(Object.entries(partials).map(([k, v]) => [k, Handlebars.parse(v)])), new Set(helpers));

describe('template memo: what a template reads', () => {
  it('names the root variables a template mentions, not the helpers it calls', () => {
    expect(inputs('a={{a}} b={{toml b.c}} {{#if (sh d)}}{{e}}{{/if}}')?.sort()).to.deep.equal(['a', 'b', 'd', 'e']);
  });

  it('a dotted path starting with a helper name is a variable', () => {
    expect(inputs('{{toml.x}}')).to.deep.equal(['toml']);
  });

  it('follows partials, their hash and @root paths', () => {
    expect(inputs('{{#each l}}{{> p x=y}}{{/each}}', { p: '{{z}} {{@root.w}}' })?.sort()).to.deep.equal(['l', 'w', 'y', 'z']);
  });

  const whole: [string, string, Record<string, string>?][] = [
    ['`this` at the top', '{{toml this}}'],
    ['`this` in an #if at the top (same context)', '{{#if a}}{{this}}{{/if}}'],
    ['`this` in the {{else}} of an #each (the caller context)', '{{#each l}}{{a}}{{else}}{{this}}{{/each}}'],
    ['`..` inside an #each', '{{#each l}}{{toml ..}}{{/each}}'],
    ['@root alone', '{{toml @root}}'],
    ['an unknown partial', '{{> nowhere}}'],
    ['a partial that reads its caller context at the top', '{{> p}}', { p: '{{this}}' }],
  ];
  for (const [what, text, partials] of whole) {
    it(`depends on the whole context: ${what}`, () => expect(inputs(text, partials)).to.equal(undefined));
  }

  it('`this` inside an #each or #with is the item, read through the list', () => {
    expect(inputs('{{#each l}}{{this}}{{/each}}{{#with m}}{{this}}{{/with}}')?.sort()).to.deep.equal(['l', 'm']);
  });
});

describe('template memo: input keys', () => {
  const key = (vars: Record<string, unknown>, names = ['a']) => inputKey(vars, names);
  const differ: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['a number and its text', { a: 1 }, { a: '1' }],
    ['0 and -0', { a: 0 }, { a: -0 }],
    ['true and "true"', { a: true }, { a: 'true' }],
    ['null and undefined', { a: null }, { a: undefined }],
    ['undefined and missing', { a: undefined }, {}],
    ['key order (what #each sees)', { a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }],
    ['a list and a map', { a: ['x'] }, { a: { 0: 'x' } }],
    ['nested values', { a: [{ b: ['c'] }] }, { a: [{ b: ['d'] }] }],
    ['a string with a separator in it', { a: 'x;"y' }, { a: 'x', b: '"y' }],
  ];
  for (const [what, one, other] of differ) {
    it(`tells apart ${what}`, () => {
      expect(key(one, ['a', 'b'])).to.be.a('string');
      expect(key(one, ['a', 'b'])).to.not.equal(key(other, ['a', 'b']));
    });
  }

  it('is the same for equal values in different objects, whatever else they hold', () => {
    expect(key({ a: [1, { b: 'x' }], other: 1 })).to.equal(key({ a: [1, { b: 'x' }], other: 2 }));
  });

  it('gives up on values that are not plain data', () => {
    class Box {
      v = 1;
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const v of [new Date(0), new Box(), () => 1, Symbol('s'), cycle, Object.assign([1], { extra: 2 })]) expect(key({ a: v })).to.equal(undefined);
  });
});

describe('template memo: rendering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-memo-'));
  mkdirSync(join(dir, 'partials'));
  writeFileSync(join(dir, 'partials', 'line.hbs'), '{{name}}={{toml value}}\n');
  writeFileSync(join(dir, 'conf.hbs'), '# {{comment title}}\n{{#each entries}}{{> line}}{{/each}}port = {{port}}\n');
  writeFileSync(join(dir, 'whole.hbs'), '{{json this}}\n');

  it('renders each distinct input once, and different inputs differently', () => {
    const engine = new TemplateRenderer(dir);
    const base = { title: 't', entries: [{ name: 'a', value: 1 }], port: 1 };
    const one = engine.renderFile('conf.hbs', base);
    for (let i = 0; i < 50; i++) expect(engine.renderFile('conf.hbs', { ...base, host: `h${i}` })).to.equal(one);
    expect(engine.renders('conf.hbs')).to.equal(1);
    const other = engine.renderFile('conf.hbs', { ...base, entries: [{ name: 'a', value: '1' }] });
    expect(other).to.not.equal(one);
    expect(other).to.contain('a="1"');
    expect(engine.renderFile('conf.hbs', { ...base, port: 2 })).to.contain('port = 2');
    expect(engine.renders('conf.hbs')).to.equal(3);
  });

  it('renders a template that reads the whole context every time', () => {
    const engine = new TemplateRenderer(dir);
    expect(engine.renderFile('whole.hbs', { a: 1 })).to.equal('{"a":1}\n');
    expect(engine.renderFile('whole.hbs', { a: 1, b: 2 })).to.equal('{"a":1,"b":2}\n');
    expect(engine.renders('whole.hbs')).to.equal(2);
  });

  it('keeps rendering correctly when every input is distinct, remembering only the recent outputs (a replanned host)', () => {
    const engine = new TemplateRenderer(dir);
    for (let i = 0; i < 600; i++) {
      expect(engine.renderFile('conf.hbs', { title: 't', entries: [], port: i })).to.equal(`# t\nport = ${i}\n`);
    }
    expect(engine.renders('conf.hbs')).to.equal(600);
    // A recent input again is answered from the memo; an old one (dropped) and a new one are rendered afresh.
    expect(engine.renderFile('conf.hbs', { title: 't', entries: [], port: 599 })).to.equal('# t\nport = 599\n');
    expect(engine.renders('conf.hbs')).to.equal(600);
    expect(engine.renderFile('conf.hbs', { title: 't', entries: [], port: 0 })).to.equal('# t\nport = 0\n');
    expect(engine.renderFile('conf.hbs', { title: 'u', entries: [], port: 599 })).to.equal('# u\nport = 599\n');
    expect(engine.renders('conf.hbs')).to.equal(602);
  });

  it('does not remember failures: a missing variable fails every time, with its position', () => {
    const engine = new TemplateRenderer(dir);
    expect(engine.renderFile('conf.hbs', { title: 't', entries: [], port: 1 })).to.equal('# t\nport = 1\n');
    for (let i = 0; i < 2; i++) {
      const e = thrown(() => engine.renderFile('conf.hbs', { title: 't', entries: [] }));
      expect(e).to.be.instanceOf(TemplateError);
      expect((e as unknown as TemplateError).location).to.equal(`${join(dir, 'conf.hbs')}:2:46`);
    }
  });

  it('memoises strings and when: expressions by their values too', () => {
    const engine = new TemplateRenderer(dir);
    expect(engine.renderString('x {{sh a}}', { a: 'one two' }, 't')).to.equal("x 'one two'");
    expect(engine.renderString('x {{sh a}}', { a: 'three' }, 't')).to.equal('x three');
    expect(engine.test('(eq a "x")', { a: 'x' }, 't')).to.equal(true);
    expect(engine.test('(eq a "x")', { a: 'y' }, 't')).to.equal(false);
  });
});

describe('template parse cache', () => {
  it('parses a text once, and compiling it leaves the shared tree as parsed', () => {
    const text = '{{#if a}}{{b}}{{/if}} {{c}}';
    const tree = parseTemplate(text);
    expect(parseTemplate(text)).to.equal(tree);
    const before = JSON.stringify(tree);
    const engine = new TemplateRenderer(mkdtempSync(join(tmpdir(), 'provision-parse-')));
    expect(engine.renderString(text, { a: true, b: 1, c: 2 }, 't')).to.equal('1 2');
    expect(JSON.stringify(parseTemplate(text))).to.equal(before);
    expect(templateVariables(text, 'f').map((u) => u.name)).to.deep.equal(['a', 'b', 'c']);
  });

  it('a text that does not parse fails every time', () => {
    for (let i = 0; i < 2; i++) expect(() => parseTemplate('{{#if a}}')).to.throw(/Parse error/);
  });
});
