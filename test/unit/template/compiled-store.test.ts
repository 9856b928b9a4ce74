import { expect } from 'chai';
import fc from 'fast-check';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultRolesDir, defaultTemplateDir } from '../../../src/core/paths.js';
import { forgetSecrets, registerSecret } from '../../../src/core/secrets.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import { loadRoles } from '../../../src/roles/load-roles.js';
import { CompiledStore, useCompiledStore } from '../../../src/template/compiled-store.js';
import { TemplateRenderer } from '../../../src/template/renderer.js';
import { thrown } from '../../helpers/inventory.js';

/** Templates compiled once and kept between runs must render exactly what compiling them afresh renders. */
describe('compiled templates kept between runs (CompiledStore)', function () {
  this.timeout(60_000);
  const root = mkdtempSync(join(tmpdir(), 'provision-compiled-store-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Every selected host of the example inventory prepared (roles' tasks, rendered files) with `store` open, or none. */
  const prepared = (store?: CompiledStore) => {
    useCompiledStore(store, defaultTemplateDir);
    try {
      const catalog = loadRoles(defaultRolesDir, defaultTemplateDir);
      const engine = new TemplateRenderer(defaultTemplateDir);
      return JSON.stringify(prepareRun({ inventory: 'inventories/example/hosts.ini', loaded: { catalog, engine } }).hosts);
    } finally {
      useCompiledStore(undefined, defaultTemplateDir);
    }
  };

  it('prepares the example fleet to the same tasks and files, cold (compiling) and warm (nothing compiled)', () => {
    const file = join(root, 'cache', 'templates.json');
    const fresh = prepared();
    const cold = new CompiledStore(defaultTemplateDir, file, 'k1');
    expect(prepared(cold)).to.equal(fresh);
    expect(cold.misses).to.be.greaterThan(50);
    cold.save();
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const warm = new CompiledStore(defaultTemplateDir, file, 'k1');
    expect(prepared(warm)).to.equal(fresh);
    expect(warm.misses).to.equal(0);
    // Another key (a role, a template or the build changed): nothing kept is used.
    const other = new CompiledStore(defaultTemplateDir, file, 'k2');
    expect(prepared(other)).to.equal(fresh);
    expect(other.misses).to.equal(cold.misses);
  });

  it('renders a template that calls a partial (templates/partials/) as a fresh compile does, cold and warm', () => {
    const dir = join(root, 'with-partials');
    mkdirSync(join(dir, 'partials'), { recursive: true });
    writeFileSync(join(dir, 'partials', 'limits.hbs'), '{{#each limits}}{{@key}}={{this}}\n{{/each}}');
    writeFileSync(join(dir, 'unit.hbs'), '[Service]\n{{> limits}}Name={{name}}\n');
    const vars = { name: 'x', limits: { LimitNOFILE: 1048576, LimitNPROC: 'infinity' } };
    const fresh = new TemplateRenderer(dir);
    const expected = fresh.renderFile('unit.hbs', vars);
    expect(expected).to.equal('[Service]\nLimitNOFILE=1048576\nLimitNPROC=infinity\nName=x\n');
    const file = join(root, 'partials.json');
    for (const run of ['cold', 'warm']) {
      const store = new CompiledStore(dir, file, 'k');
      useCompiledStore(store, dir);
      const engine = new TemplateRenderer(dir);
      useCompiledStore(undefined, dir);
      expect(engine.renderFile('unit.hbs', vars), run).to.equal(expected);
      expect(engine.fileInputs('unit.hbs'), run).to.deep.equal(fresh.fileInputs('unit.hbs'));
      expect(store.misses, run).to.equal(run === 'cold' ? 2 : 0);
      store.save();
    }
  });

  describe('errors, secrets and files not to trust', () => {
    const dir = join(root, 'templates');
    mkdirSync(dir, { recursive: true });
    const store = new CompiledStore(dir, join(root, 'errors.json'), 'k');
    const engines = () => {
      const plain = new TemplateRenderer(dir);
      useCompiledStore(store, dir);
      const stored = new TemplateRenderer(dir);
      useCompiledStore(undefined, dir);
      return [plain, stored] as const;
    };

    it('a missing variable (strict mode), a syntax error: the same message and file:line:col', () => {
      writeFileSync(join(dir, 'm.hbs'), 'line one\n  x = {{missing_var}}\n');
      writeFileSync(join(dir, 's.hbs'), 'a\n{{#if x}}\n');
      for (const name of ['m.hbs', 's.hbs']) {
        const [plain, stored] = engines().map((e) => thrown(() => e.renderFile(name, {})));
        expect(stored!.message).to.equal(plain!.message);
        expect(JSON.stringify(stored)).to.equal(JSON.stringify(plain));
      }
    });

    it('never keeps a text that holds a secret of the run (a vaulted value is not written in clear)', () => {
      const file = join(root, 'secret.json');
      const s = new CompiledStore(dir, file, 'k');
      registerSecret('hunter2-vaulted');
      try {
        for (let i = 0; i < 2; i++) s.get('compiled 0\0pw={{x}}hunter2-vaulted', () => ({ inputs: ['x'] }));
        s.get('compiled 0\0plain {{x}}', () => ({ inputs: ['x'] }));
        s.save();
      } finally {
        forgetSecrets();
      }
      expect(s.misses).to.equal(3);
      expect(readFileSync(file, 'utf8')).to.include('plain {{x}}').and.not.include('hunter2');
    });

    it('reads no file that someone else could have written (its specs are code)', () => {
      const file = join(root, 'shared', 'store.json');
      const kept = new CompiledStore(dir, file, 'k');
      kept.get('compiled 0\0{{json x}}', () => ({ spec: '{}', inputs: ['x'] }));
      kept.save();
      const misses = () => {
        const s = new CompiledStore(dir, file, 'k');
        s.get('compiled 0\0{{json x}}', () => ({ inputs: ['fresh'] }));
        return s.misses;
      };
      expect(misses()).to.equal(0);
      chmodSync(file, 0o666);
      expect(misses()).to.equal(1);
      chmodSync(file, 0o600);
      chmodSync(dirname(file), 0o777);
      expect(misses()).to.equal(1);
      chmodSync(dirname(file), 0o1777);
      expect(misses()).to.equal(0);
    });

    it('a store file that is not JSON, or of another shape, is an empty store', () => {
      const file = join(root, 'bad.json');
      for (const text of ['{', '[]', '{"key":"k","entries":7}', 'null']) {
        writeFileSync(file, text);
        const s = new CompiledStore(dir, file, 'k');
        expect(s.get('x', () => ({ inputs: ['made'] })).inputs).to.deep.equal(['made']);
        expect(s.misses).to.equal(1);
      }
      expect(JSON.parse(readFileSync(file, 'utf8'))).to.equal(null);
    });
  });

  it('renders any template of values, conditions and loops as a fresh compile does, cold and warm (property)', () => {
    const dir = join(root, 'property');
    mkdirSync(dir, { recursive: true });
    const file = join(root, 'property.json');
    const name = fc.constantFrom('a', 'b', 'n', 'list', 'missing');
    const part = fc.oneof(
      fc.string({ maxLength: 8 }).map((s) => s.replace(/[{}\\]/g, '')),
      name.map((n) => `{{${n}}}`),
      name.map((n) => `{{#if ${n}}}[${n}]{{else}}-{{/if}}`),
      name.map((n) => `{{#each ${n}}}{{this}}{{@index}},{{/each}}`),
      name.map((n) => `{{json ${n}}}`),
    );
    const vars = fc.record({
      a: fc.string({ maxLength: 5 }),
      b: fc.integer(),
      n: fc.constantFrom(0, 1, null, true),
      list: fc.array(fc.integer(), { maxLength: 3 }),
    });
    const outcome = (engine: TemplateRenderer, text: string, v: Record<string, unknown>) => {
      try {
        return engine.renderString(text, v, 'property');
      } catch (e) {
        return `error: ${(e as Error).message}`;
      }
    };
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), vars, (parts, v) => {
        const text = parts.join('');
        const plain = outcome(new TemplateRenderer(dir), text, v);
        for (let run = 0; run < 2; run++) {
          const store = new CompiledStore(dir, file, 'k');
          useCompiledStore(store, dir);
          const stored = new TemplateRenderer(dir);
          useCompiledStore(undefined, dir);
          expect(outcome(stored, text, v)).to.equal(plain);
          store.save();
        }
      }),
      { numRuns: 60 },
    );
  });
});
