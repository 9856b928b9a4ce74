import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_LINES, MAX_NESTING, shapeProblems } from '../../tools/function-shape.js';

/** A function declaration whose body has `n` statement lines. */
const longFunction = (n: number, above = '') =>
  `${above}export function long(): number {\n${Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n')}\n  return 0;\n}\n`;

/** An arrow function assigned to a name, with `depth` nested blocks of mixed kinds. */
function deepArrow(depth: number, above = ''): string {
  const opens = ['if (a) {', 'for (const x of xs) {', 'while (b) {', 'try {', 'switch (c) { case 1: {'];
  const closes = ['}', '}', '}', '} catch { }', '} }'];
  const kinds = Array.from({ length: depth }, (_, i) => i % opens.length);
  return `${above}const deep = (a: boolean, b: boolean, c: number, xs: number[]) => {\n${kinds.map((k) => opens[k]).join('\n')}\nreturn 1;\n${[...kinds]
    .reverse()
    .map((k) => closes[k])
    .join('\n')}\n  return 0;\n};\n`;
}

describe('function shape check (test/tools/function-shape.ts)', () => {
  it('flags a function longer than the limit and names it with its line', () => {
    const [problem, ...rest] = shapeProblems('long.ts', `\n${longFunction(MAX_LINES)}`);
    expect(rest).to.deep.equal([]);
    expect(problem).to.include({ file: 'long.ts', line: 2, name: 'long', lines: MAX_LINES + 3 });
    expect(problem?.problems).to.deep.equal([`${MAX_LINES + 3} lines`]);
  });

  it('accepts a function of exactly the limit', () => {
    expect(shapeProblems('ok.ts', longFunction(MAX_LINES - 3))).to.deep.equal([]);
  });

  it('flags nesting deeper than the limit, and counts every kind of block', () => {
    const [problem] = shapeProblems('deep.ts', deepArrow(MAX_NESTING + 1));
    expect(problem).to.include({ name: 'deep', nesting: MAX_NESTING + 1 });
    expect(problem?.problems).to.deep.equal([`nesting ${MAX_NESTING + 1}`]);
    expect(shapeProblems('ok.ts', deepArrow(MAX_NESTING))).to.deep.equal([]);
  });

  it('counts a callback body as a level, and an else-if as no level', () => {
    const callback = `function f(xs: number[][]) {\n  for (const x of xs) {\n    if (x) {\n      x.forEach((y) => {\n        if (y) return;\n      });\n    }\n  }\n}\n`;
    expect(shapeProblems('cb.ts', callback)[0]).to.include({ name: 'f', nesting: 4 });
    const chain = `function g(n: number) {\n  if (n === 1) { return 1; } else if (n === 2) { return 2; } else if (n === 3) { if (n) { if (n) { return 3; } } }\n  return 0;\n}\n`;
    expect(shapeProblems('chain.ts', chain)).to.deep.equal([]);
    const named = `function h(xs: number[]) {\n  for (const x of xs) {\n    const inner = (y: number) => {\n      if (y) { if (y) return; }\n    };\n    inner(x);\n  }\n}\n`;
    const expression = `function k(xs: number[][]) {\n  for (const x of xs) {\n    if (x) {\n      if (x.some((y) => y > 1)) return;\n    }\n  }\n}\n`;
    expect(shapeProblems('expression.ts', expression), 'a one-expression arrow opens no block').to.deep.equal([]);
    expect(shapeProblems('named.ts', named), 'a named inner function is measured on its own').to.deep.equal([]);
  });

  it('measures methods and object properties, not a callback on its own', () => {
    const inner = deepArrow(MAX_NESTING + 1).replace('const deep = ', '');
    const text = `class C {\n  m() {\n${longFunction(MAX_LINES).replace('export function long(): number {', 'if (true) {')}\n  }\n}\nconst o = { p: ${inner.replace(/;\n$/, '')} };\nrun(${inner.replace(/;\n$/, '')});\n`;
    const names = shapeProblems('many.ts', text).map((p) => p.name);
    expect(names).to.deep.equal(['m', 'p']);
  });

  it('accepts a function whose comment directly above says why, each marker for its own limit', () => {
    const why = '// long-function: one table of cases, read top to bottom\n';
    expect(shapeProblems('ok.ts', longFunction(MAX_LINES + 5, why))).to.deep.equal([]);
    expect(shapeProblems('ok.ts', deepArrow(MAX_NESTING + 2, '// deep-nesting: a parser state machine\n'))).to.deep.equal([]);
    expect(shapeProblems('ok.ts', longFunction(MAX_LINES + 5, '/**\n * A doc.\n * long-function: generated table\n */\n'))).to.deep.equal([]);
  });

  it('does not accept a marker without a reason, the wrong marker, or a comment not directly above', () => {
    expect(shapeProblems('bad.ts', longFunction(MAX_LINES + 5, '// long-function:\n'))).to.have.length(1);
    expect(shapeProblems('bad.ts', longFunction(MAX_LINES + 5, '// deep-nesting: wrong one\n'))).to.have.length(1);
    expect(shapeProblems('bad.ts', longFunction(MAX_LINES + 5, '// long-function: too far\n\n'))).to.have.length(1);
    expect(shapeProblems('bad.ts', deepArrow(MAX_NESTING + 1, '// long-function: wrong one\n'))).to.have.length(1);
  });

  it('flags exactly the functions past either limit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * MAX_LINES }), fc.integer({ min: 0, max: 2 * MAX_NESTING }), (n, depth) => {
        const long = shapeProblems('p.ts', longFunction(n)).length;
        const deep = shapeProblems('p.ts', deepArrow(depth)).length;
        return long === (n + 3 > MAX_LINES ? 1 : 0) && deep === (depth > MAX_NESTING ? 1 : 0);
      }),
    );
  });
});
