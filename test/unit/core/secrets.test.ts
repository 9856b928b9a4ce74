import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetSecrets, isSecretName, MASK, maskSecrets, maskText, registerSecret, registerSecrets } from '../../../src/core/secrets.js';
import { renderVariables, VariableProblems } from '../../../src/roles/resolve-vars.js';
import type { RoleCatalog } from '../../../src/roles/role.js';
import { TemplateRenderer } from '../../../src/template/renderer.js';

/** Secrets of a run (as vault registers what it decrypts) stay masked wherever they end up. */
describe('secrets stay masked wherever they are nested', () => {
  // The secrets registered here would mask text in the tests that run after them in this process.
  afterEach(forgetSecrets);

  it('a vault value nested in a map or a list, or inside a longer string, or JSON-escaped', () => {
    registerSecret('nested-"s3cret"');
    const vars = { kubelet_flags: { 'node-labels': 'nested-"s3cret"', keep: 'visible' }, list: ['a', 'x nested-"s3cret" y'] };
    expect(maskSecrets(vars)).to.deep.equal({ kubelet_flags: { 'node-labels': MASK, keep: 'visible' }, list: ['a', `x ${MASK} y`] });
    expect(maskText(JSON.stringify(vars))).not.to.include('s3cret');
    expect(maskText(`got ${JSON.stringify('nested-"s3cret"')}`)).to.equal(`got "${MASK}"`);
    forgetSecrets();
    expect(maskText('x nested-"s3cret" y')).to.equal('x nested-"s3cret" y');
  });

  it('a whole vaulted file: every value masked; a short one where a value is it, not inside other text', () => {
    registerSecrets({ registry: { user: 'u', password: 'file-s3cret' }, ports: ['8443'] });
    expect(maskSecrets({ user: 'u', password: 'file-s3cret', p: '8443' })).to.deep.equal({ user: MASK, password: MASK, p: MASK });
    expect(maskText('user u at https://x/?p=file-s3cret')).to.equal(`user u at https://x/?p=${MASK}`);
  });

  it('any text holding a registered secret shows none of it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), fc.string(), fc.string(), (secret, before, after) => {
        registerSecret(secret);
        const shown = maskText(`${before}${secret}${after}`);
        expect(shown).to.include(MASK);
        expect(maskText(JSON.stringify({ v: `${before}${secret}${after}` }))).to.include(MASK);
      }),
      { numRuns: 200 },
    );
  });

  it('a value built from a secret is a secret, also where rendering changed it (shell quoting)', () => {
    registerSecret("it's-vaulted");
    const engine = new TemplateRenderer(mkdtempSync(join(tmpdir(), 'provision-secrets-')));
    const vars: Record<string, unknown> = { token: "it's-vaulted", cmd: 'curl -H {{ sh token }}', other: 'plain {{ greeting }}', greeting: 'hi' };
    const problems = new VariableProblems({ variables: {} } as unknown as RoleCatalog, 'h', vars);
    renderVariables(['cmd', 'other'], vars, engine, 'h', problems);
    expect(vars.cmd).to.equal("curl -H 'it'\\''s-vaulted'");
    expect(maskText(`running ${vars.cmd as string}`)).to.equal(`running curl -H ${MASK}`);
    expect(maskText(`running ${vars.other as string}`)).to.equal('running plain hi');
  });

  it("a helper's result built from a secret is a secret (a template file shell-quoting it, shown in --diff)", () => {
    registerSecret("it's-vaulted");
    const engine = new TemplateRenderer(mkdtempSync(join(tmpdir(), 'provision-secrets-')));
    const shown = engine.renderValue('TOKEN={{ sh token }} LINE="--t={{ token }}" OTHER={{ sh plain }}', { token: "it's-vaulted", plain: 'x y' }, 'test');
    expect(maskText(String(shown))).to.equal(`TOKEN=${MASK} LINE="--t=${MASK}" OTHER='x y'`);
  });
  it('a value with nothing to mask comes back as itself; one with something, as a copy masked as a deep copy would be, the value untouched', () => {
    /** maskSecrets as it was: a deep copy always. */
    const deepCopy = (value: unknown, name = ''): unknown => {
      if (name && isSecretName(name) && value !== null && value !== undefined && value !== '') return MASK;
      if (typeof value === 'string') return maskText(value);
      if (Array.isArray(value)) return value.map((v) => deepCopy(v));
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v, k)]));
      return value;
    };
    const key = fc.constantFrom('host', 'reason', 'password', 'api_token', 'changes');
    const leaf = fc.oneof(fc.constantFrom('plain', 'has s3cr3t-value inside', 'https://u:pw@h/x', '', 'ok'), fc.integer(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 3 })),
    })).node;
    registerSecret('s3cr3t-value');
    fc.assert(
      fc.property(value, (v) => {
        const before = JSON.stringify(v);
        const masked = maskSecrets(v);
        expect(JSON.stringify(masked)).to.equal(JSON.stringify(deepCopy(v)));
        expect(JSON.stringify(v), 'the value itself is never changed').to.equal(before);
        if (JSON.stringify(masked) === before) expect(masked).to.equal(v);
      }),
      { numRuns: 500 },
    );
  });
});
