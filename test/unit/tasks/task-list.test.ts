import { expect } from 'chai';
import { TASK_TYPES } from '../../../src/tasks/task-list.js';
import { defineTaskType } from '../../../src/tasks/task-type.js';

describe('task types: one file each, listed once', () => {
  it('each type is listed under its own name, with a documented schema', () => {
    for (const [key, type] of Object.entries(TASK_TYPES)) {
      expect(type.name).to.equal(key);
      expect(type.doc, key).to.be.a('string').and.not.be.empty;
      for (const [arg, spec] of Object.entries(type.args)) expect(spec.doc, `${key}.${arg}`).to.be.a('string').and.not.be.empty;
      for (const arg of type.oneOf ?? []) expect(type.args, `${key} oneOf`).to.have.property(arg);
    }
  });

  it('a task type without its plan does not compile', () => {
    // @ts-expect-error: a type must say how it plans; without `plan` tsc refuses it (npm test type-checks this file).
    const broken = defineTaskType({ name: 'broken', doc: 'no plan', args: {}, facts: () => [] });
    expect(broken.name).to.equal('broken');
  });

  it('a task type without its facts does not compile', () => {
    // @ts-expect-error: a type must say which facts it needs.
    const broken = defineTaskType({ name: 'broken', doc: 'no facts', args: {}, plan: () => ({ noop: 'x' }) });
    expect(broken.name).to.equal('broken');
  });
});
