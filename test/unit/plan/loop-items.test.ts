import { expect } from 'chai';
import { prepareHost } from '../../helpers/roles.js';

describe('loop items', () => {
  it('each looped task instance renders with, and keeps, its own item', () => {
    const plan = prepareHost({ docker_layout: 'static', docker_static_binaries: ['dockerd', 'docker', 'ctr'] }, ['docker']);
    const removals = plan.roles[0]!.tasks.filter((t) => t.spec.loop === 'docker_static_binaries');
    expect(removals.map((t) => t.args.path)).to.deep.equal(['/usr/local/bin/dockerd', '/usr/local/bin/docker', '/usr/local/bin/ctr']);
    expect(removals.map((t) => t.item)).to.deep.equal(['dockerd', 'docker', 'ctr']);
    // The item is the instance's, apart from the host's variables.
    expect(removals[0]).to.not.have.property('vars');
    expect(plan.vars).to.not.have.property('item');
  });
});
