import { expect } from 'chai';
import { TASK_TYPES } from '../../../src/tasks/task-list.js';
import { join } from 'node:path';
import ts from 'typescript';

describe('task types: one file each, listed once', () => {
  it('each type is listed under its own name, with a documented schema', () => {
    for (const [key, type] of Object.entries(TASK_TYPES)) {
      expect(type.name).to.equal(key);
      expect(type.doc, key).to.be.a('string').and.not.be.empty;
      for (const [arg, spec] of Object.entries(type.args)) expect(spec.doc, `${key}.${arg}`).to.be.a('string').and.not.be.empty;
      for (const arg of type.oneOf ?? []) expect(type.args, `${key} oneOf`).to.have.property(arg);
    }
  });

  // The type checker is the proof: each snippet is compiled against the real defineTaskType, and must be refused.
  const refusal = (body: string): string => {
    const file = join(process.cwd(), 'test/unit/tasks/__snippet.ts');
    const source = `import { defineTaskType } from '../../../src/tasks/task-type.js';\nexport const t = defineTaskType(${body});\n`;
    const options = {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    host.readFile = (f) => (f === file ? source : read(f));
    host.fileExists = (
      (exists) => (f: string) =>
        f === file || exists(f)
    )(host.fileExists.bind(host));
    const program = ts.createProgram([file], options, host);
    return ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      .join('\n');
  };

  it('the checker accepts a complete task type (the refusals below are real)', function () {
    this.timeout(60_000);
    expect(refusal("{ name: 'ok', doc: 'd', args: {}, facts: () => [], plan: () => ({ noop: 'x' }) }")).to.equal('');
  });

  it('a task type without its plan does not compile', function () {
    this.timeout(60_000);
    expect(refusal("{ name: 'broken', doc: 'no plan', args: {}, facts: () => [] }")).to.match(/'plan' is missing/);
  });

  it('a task type without its facts does not compile', function () {
    this.timeout(60_000);
    expect(refusal("{ name: 'broken', doc: 'no facts', args: {}, plan: () => ({ noop: 'x' }) }")).to.match(/'facts' is missing/);
  });
});
