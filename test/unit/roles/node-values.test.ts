import { expect } from 'chai';
import { prepareRun } from '../../../src/plan/prepare.js';
import { Inventory, type Vars } from '../../../src/inventory/inventory.js';

/**
 * What preflight reads from a node (daemon.json, certs.d, the layout) fills variables for the host's
 * plan: it is data, never a template. Docker's own log tag is a Go template (`{{.Name}}`), and a
 * rendered value would let whoever can write a node's files pull any controller-side variable (a
 * become password, a vault secret) into a file sent to the node.
 */
describe('values read from a node are data, never templates', () => {
  const SECRET = 'zq-controller-secret-zq';
  const replanned = (detected: Vars, vars: Vars = {}) => {
    const inv = new Inventory();
    inv.addHost('k8s_worker', 'w1', { kubernetes_version: '1.27', provision_roles: ['remove-docker'], ansible_become_password: SECRET, ...vars });
    return prepareRun({ inventory: inv.finalize() }).replan('w1', detected);
  };
  const stateFile = (plan: ReturnType<typeof replanned>) =>
    plan.roles.flatMap((r) => r.tasks).find((t) => t.args.dest === plan.vars.docker_settings_state_file)?.content;

  it("Docker's log tag template is carried as written", () => {
    const plan = replanned({ docker_settings_state: { daemon: { 'log-opts': { tag: '{{.Name}}/{{.ID}}' } } } });
    expect(plan.vars.docker_settings_state).to.deep.equal({ daemon: { 'log-opts': { tag: '{{.Name}}/{{.ID}}' } } });
    expect(JSON.parse(stateFile(plan)!)).to.deep.equal({ daemon: { 'log-opts': { tag: '{{.Name}}/{{.ID}}' } } });
  });

  it('a template a node holds pulls in no variable, directly or through a variable built from it', () => {
    const plan = replanned(
      { docker_settings_state: { daemon: { 'log-opts': { tag: '{{ ansible_become_password }}' } } } },
      // An inventory value built from the node's: what rendering puts in is not rendered again.
      { provision_drain_timeout: '{{#each docker_settings_state}}{{this.log-opts.tag}}{{/each}}' },
    );
    expect(plan.vars.provision_drain_timeout).to.equal('{{ ansible_become_password }}');
    expect(stateFile(plan)).to.include('{{ ansible_become_password }}');
    const { ansible_become_password: _, ...vars } = plan.vars;
    expect(JSON.stringify([vars, plan.roles.map((r) => r.tasks.map((t) => [t.args, t.content]))])).not.to.include(SECRET);
  });

  it("hosts sharing a plan render their own variables without rendering the node's text again", () => {
    const inv = new Inventory();
    Object.assign(inv.group('k8s_worker').vars, {
      kubernetes_version: '1.27',
      provision_roles: ['remove-docker'],
      ansible_become_password: SECRET,
      // The class's, built from the node's value; then the host's own, built from it and the host name.
      provision_drain_timeout: '{{#each docker_settings_state}}{{this.log-opts.tag}}{{/each}}',
      provision_uncordon_command: 'kubectl uncordon {{sh provision_node_name}} {{sh provision_drain_timeout}}',
    });
    for (const h of ['w1', 'w2', 'w3']) inv.addHost('k8s_worker', h, { ansible_host: '10.0.0.1' });
    const run = prepareRun({ inventory: inv.finalize() });
    const detected = { docker_settings_state: { daemon: { 'log-opts': { tag: '{{ ansible_become_password }}' } } } };
    const commands = ['w1', 'w2', 'w3'].map((h) => run.replan(h, detected).vars.provision_uncordon_command);
    expect(commands).to.deep.equal(['w1', 'w2', 'w3'].map((h) => `kubectl uncordon ${h} '{{ ansible_become_password }}'`));
  });

  it('an inventory value is still a template, built from others in any order', () => {
    const plan = replanned({}, { docker_settings_state_file: '{{ site_dir }}/docker.json', site_dir: '{{ base_dir }}/site', base_dir: '/var/lib/x' });
    expect(plan.vars.docker_settings_state_file).to.equal('/var/lib/x/site/docker.json');
    expect(stateFile(plan)).to.equal(undefined); // nothing carried, nothing written
  });
});
