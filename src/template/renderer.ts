import { holdsSecret, registerDerived } from '../core/secrets.js';
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateError } from '../core/errors.js';
import { compiledStoreFor, specObject } from './compiled-store.js';
import { helpers } from './helpers.js';
import { parseTemplate } from './parse-cache.js';
import { inputKey, templateInputs } from './template-inputs.js';

/**
 * A compiled template, and the outputs it gave per distinct input (the values of the names it
 * reads): thousands of hosts mostly share them, so each is rendered once.
 */
interface Compiled {
  render: (context: unknown) => string;
  /** The root names the output depends on; undefined when it may depend on the whole context. */
  inputs?: string[];
  memo?: Map<string, string>;
  renders: number;
  hits: number;
}

/**
 * Past this many renders with fewer memo hits than renders, a template (one per host, say) keeps only
 * its last MEMO_TRIAL outputs: a host replanned on what its node told (the preflight's replans) renders
 * the same inputs again moments later, and memory stays bounded whatever the fleet's size.
 */
const MEMO_TRIAL = 256;

const EMPTY = '__provision_empty';

/**
 * Handlebars set up for config files: no HTML escaping, strict about missing variables, with
 * helpers for TOML/YAML/flags. Compiled templates are cached, so rendering a thousand hosts
 * compiles each template once.
 */
export class TemplateRenderer {
  private readonly hb = Handlebars.create();
  private readonly fileCache = new Map<string, Compiled>();
  private readonly stringCache = new Map<string, Compiled>();
  /** Partials' syntax trees, for knowing what a template that calls them reads. */
  private readonly partialAsts = new Map<string, unknown>();
  private readonly helperNames: ReadonlySet<string>;
  /** What each string template reads (null: it may read the whole context). */
  private readonly stringInputs = new Map<string, string[] | null>();
  /** Compiled templates kept between runs, when the built CLI opened a store (src/template/compiled-store.ts). */
  private readonly store: ReturnType<typeof compiledStoreFor>;

  constructor(readonly templateDir: string) {
    this.store = compiledStoreFor(templateDir);
    for (const [name, fn] of Object.entries(helpers)) this.hb.registerHelper(name, secretKeeping(fn));
    this.hb.registerHelper(EMPTY, () => '');
    this.helperNames = new Set(Object.keys(this.hb.helpers));
    // A block several templates share is one partial: templates/partials/<name>.hbs is {{> name}}.
    const partials = join(templateDir, 'partials');
    for (const f of existsSync(partials) ? readdirSync(partials).filter((n) => n.endsWith('.hbs')) : []) {
      const file = join(partials, f);
      const name = f.slice(0, -'.hbs'.length);
      const text = readFileSync(file, 'utf8');
      this.hb.registerPartial(name, this.compile(text, file).render as Handlebars.Template);
      this.partialAsts.set(name, parseTemplate(text));
    }
  }

  /** Renders `templates/<name>` with `vars`; errors name the template, line and column. */
  renderFile(name: string, vars: Record<string, unknown>): string {
    const file = join(this.templateDir, name);
    return this.run(this.compiledFile(name, file), vars, file);
  }

  private compiledFile(name: string, file = join(this.templateDir, name)): Compiled {
    let compiled = this.fileCache.get(file);
    if (!compiled) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new TemplateError(`template "${name}" not found in ${this.templateDir}`, { file });
      }
      compiled = this.compile(text, file);
      this.fileCache.set(file, compiled);
    }
    return compiled;
  }

  /**
   * The root names `templates/<name>` (with its partials) may read, or undefined when it may read
   * the whole context or cannot be compiled (rendering it then reports why).
   */
  fileInputs(name: string): string[] | undefined {
    try {
      return this.compiledFile(name).inputs;
    } catch {
      return undefined;
    }
  }

  /** The root names a string given to renderString or renderValue may read; undefined as for fileInputs. */
  inputsOf(text: string): string[] | undefined {
    if (!text.includes('{{')) return [];
    let inputs = this.stringInputs.get(text);
    if (inputs === undefined) {
      const read = () => {
        try {
          return templateInputs(parseTemplate(text), this.partialAsts, this.helperNames) ?? null;
        } catch {
          return null;
        }
      };
      // What a text reads depends on the partials known so far (the constructor adds them one by one).
      inputs = this.store ? this.store.get(`inputs ${this.partialAsts.size}\0${text}`, () => ({ inputs: read() })).inputs : read();
      this.stringInputs.set(text, inputs);
    }
    return inputs ?? undefined;
  }

  /** The root names a `when:` expression given to test may read; undefined as for fileInputs. */
  testInputs(expression: string): string[] | undefined {
    return this.inputsOf(ifTemplate(notless(expression).body));
  }

  /** Renders a string that may hold `{{ }}` (task arguments, variable defaults). */
  renderString(text: string, vars: Record<string, unknown>, where: string): string {
    if (!text.includes('{{')) return text;
    const plain = interpolate(text, vars);
    if (plain !== undefined) return plain;
    let compiled = this.stringCache.get(text);
    if (!compiled) {
      compiled = this.compile(text, where);
      this.stringCache.set(text, compiled);
    }
    return this.run(compiled, vars, where);
  }

  /**
   * Like renderString, but a value that is exactly one `{{ path }}` keeps the path's type (a list
   * stays a list), as Ansible's templating does for a single expression.
   */
  renderValue(text: string, vars: Record<string, unknown>, where: string): unknown {
    const whole = /^\{\{\s*([A-Za-z_][\w]*(?:\.[\w-]+)*)\s*\}\}$/.exec(text);
    if (whole && !(whole[1]! in helpers)) {
      const value = whole[1]!.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], vars);
      if (value !== undefined) return value;
    }
    return this.renderString(text, vars, where);
  }

  /**
   * Evaluates a `when:` expression: a variable path (`docker_purge_data`) or a helper call
   * (`(includes containerd_runtimes "runsc")`), with Handlebars truthiness.
   */
  test(expression: string, vars: Record<string, unknown>, where: string): boolean {
    const { negate, body } = notless(expression);
    // A plain variable path is judged directly, with Handlebars' truthiness (#if: falsy, or an empty list).
    const value = /^[A-Za-z_]\w*(?:\.[\w-]+)*$/.test(body) && !(body.split('.')[0]! in helpers) ? lookup(body, vars) : undefined;
    if (value !== undefined) return negate === (!value || (Array.isArray(value) && value.length === 0));
    const out = this.renderString(ifTemplate(body), vars, where);
    return negate ? out !== '1' : out === '1';
  }

  private compile(text: string, where: string): Compiled {
    try {
      const { render, inputs } = this.store ? this.compileStored(text) : this.compileNow(text);
      return inputs ? { render, inputs, memo: new Map(), renders: 0, hits: 0 } : { render, renders: 0, hits: 0 };
    } catch (e) {
      throw templateError(e, where);
    }
  }

  /** The tree Handlebars compiles (a copy: the shared one must not get the empty-string helper calls), and what it reads. */
  private treeOf(text: string) {
    const ast = structuredClone(parseTemplate(text));
    const inputs = templateInputs(ast, this.partialAsts, this.helperNames);
    startBodiesWithString(ast);
    return { ast, inputs };
  }

  private compileNow(text: string) {
    const { ast, inputs } = this.treeOf(text);
    return { render: this.hb.compile(ast, { noEscape: true, strict: true }), inputs };
  }

  /** From the store, else precompiled (eagerly, to be stored) and kept there. */
  private compileStored(text: string) {
    const entry = this.store!.get(`compiled ${this.partialAsts.size}\0${text}`, () => {
      const { ast, inputs } = this.treeOf(text);
      return { spec: this.hb.precompile(ast, { noEscape: true, strict: true }) as unknown as string, inputs: inputs ?? null };
    });
    return { render: this.hb.template(specObject(entry.spec!) as TemplateSpecification), inputs: entry.inputs ?? undefined };
  }

  private run(compiled: Compiled, vars: Record<string, unknown>, where: string): string {
    const key = compiled.memo && inputKey(vars, compiled.inputs!);
    if (key !== undefined) {
      const hit = compiled.memo!.get(key);
      if (hit !== undefined) {
        compiled.hits++;
        return hit;
      }
    }
    let out: string;
    try {
      out = compiled.render(vars);
    } catch (e) {
      throw templateError(e, where);
    }
    compiled.renders++;
    if (key !== undefined) {
      compiled.memo!.set(key, out);
      // Distinct for nearly every host: only the most recent outputs are kept.
      if (compiled.renders > MEMO_TRIAL && compiled.hits < compiled.renders && compiled.memo!.size > MEMO_TRIAL) {
        compiled.memo!.delete(compiled.memo!.keys().next().value!);
      }
    }
    return out;
  }

  /** How many times a template was really rendered (not answered from its memo): for tests. */
  renders(name: string): number {
    return this.fileCache.get(join(this.templateDir, name))?.renders ?? 0;
  }
}

/** A `when:` expression without its leading `not`. */
function notless(expression: string): { negate: boolean; body: string } {
  const expr = expression.trim();
  return expr.startsWith('not ') ? { negate: true, body: expr.slice(4).trim() } : { negate: false, body: expr };
}

const ifTemplate = (body: string) => `{{#if ${body}}}1{{/if}}`;

/** A dotted path's value in vars (own properties only, as Handlebars' lookups), or undefined. */
function lookup(path: string, vars: Record<string, unknown>): unknown {
  let v: unknown = vars;
  for (const n of path.split('.')) v = v !== null && typeof v === 'object' && Object.hasOwn(v, n) ? (v as Record<string, unknown>)[n] : undefined;
  return v;
}

const PLAIN_MUSTACHE = /\{\{\s*(?:(sh)\s+)?([A-Za-z_]\w*(?:\.[\w-]+)*)\s*\}\}/g;
// Helpers of one scalar argument filled in directly too, as Handlebars calls them (the options last; a result built
// from a secret is a secret): the commands built from the node's name (`kubectl drain {{sh provision_node_name}}`) are
// rendered for every host and every replan.
const DIRECT_HELPERS: ReadonlySet<string> = new Set(['sh']);

/**
 * Most task arguments and defaults are text with plain `{{ path }}` (or `{{ sh path }}`) mustaches: these are filled in
 * directly, as Handlebars would (a string or number value, as text), without a Handlebars call, whose
 * per-call setup dominates rendering thousands of hosts. Anything else (a helper, a block, a missing
 * or non-scalar value, an escape) returns undefined and goes through Handlebars.
 */
function interpolate(text: string, vars: Record<string, unknown>): string | undefined {
  if (text.includes('\\{{')) return undefined;
  let ok = true;
  const out = text.replace(PLAIN_MUSTACHE, (_m, helper: string | undefined, path: string) => {
    if (path.split('.')[0]! in helpers) ok = false;
    const v = lookup(path, vars);
    if (typeof v !== 'string' && typeof v !== 'number') {
      ok = false;
      return '';
    }
    if (helper === undefined) return String(v);
    if (!DIRECT_HELPERS.has(helper)) ok = false;
    const result = String(helpers[helper]!(v, {}));
    if (holdsSecret(v)) registerDerived(result);
    return result;
  });
  return ok && !out.includes('{{') ? out : undefined;
}

/**
 * handlebars 4.7 with noEscape adds adjacent numbers (`{{a}}{{b}}` with 1 and 2 renders 3): a
 * program body starting with two numeric mustaches compiles to `1 + 2`. Starting every body with
 * a helper that outputs "" makes the concatenation a string one, while values keep their types
 * (so TOML integers stay integers) and strict mode keeps reporting missing names.
 */
function startBodiesWithString(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) startBodiesWithString(n);
    return;
  }
  for (const [k, v] of Object.entries(node)) if (k !== 'loc') startBodiesWithString(v);
  const n = node as { type?: string; body?: unknown[] };
  if (n.type === 'Program') {
    n.body!.unshift({
      type: 'MustacheStatement',
      path: { type: 'PathExpression', data: false, depth: 0, parts: [EMPTY], original: EMPTY },
      params: [],
      escaped: true,
      strip: { open: false, close: false },
    });
  }
}

function templateError(e: unknown, where: string): TemplateError {
  const message = (e as Error).message ?? String(e);
  // Handlebars reports "... - 3:14" (strict) or "Parse error on line 3:" (syntax).
  const strict = /^(.*?) - (\d+):(\d+)$/s.exec(message);
  const parse = /^Parse error on line (\d+):\n([\s\S]*)$/.exec(message);
  if (strict) {
    const [, what, line, col] = strict;
    return new TemplateError(what!, { file: where, line: Number(line), col: Number(col) + 1, cause: e });
  }
  if (parse) {
    const [, line, rest] = parse;
    return new TemplateError(`template syntax error: ${rest!.split('\n').slice(-1)[0]}`, { file: where, line: Number(line), cause: e });
  }
  return new TemplateError(message, { file: where, cause: e });
}

/**
 * A helper's result built from a secret is a secret: `{{ sh token }}` or `{{ json creds }}` of a vaulted value
 * is masked in --diff and reports although its text differs from the secret's (the last argument is
 * Handlebars' options, which hold the whole context).
 */
function secretKeeping(fn: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
  return (...a) => {
    const result = fn(...a);
    if (typeof result === 'string' && a.slice(0, -1).some(holdsSecret)) registerDerived(result);
    return result;
  };
}
