import { expect } from 'chai';
import fc from 'fast-check';
import { join } from 'node:path';
import { ErrorList, ProvisionError } from '../../../src/core/errors.js';
import { defaultRolesDir, defaultTemplateDir } from '../../../src/core/paths.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import type { PreparedHost, PreparedRun } from '../../../src/plan/model.js';
import { Inventory, type Vars } from '../../../src/inventory/inventory.js';
import { loadRoles } from '../../../src/roles/load-roles.js';
import { TemplateRenderer } from '../../../src/template/renderer.js';

/**
 * Hosts of one class share a plan (src/plan/plan-classes.ts). Whatever the inventory, each host's
 * plan in a run of many hosts must be exactly the plan it gets alone (where it is its class's first
 * host, planned in full): variables, tasks, arguments, contents, skips, errors and warnings.
 */

const catalog = loadRoles(defaultRolesDir, defaultTemplateDir);
const loaded = { catalog, engine: new TemplateRenderer(catalog.templateDir) };
const ROLES = catalog.roles.map((r) => r.name);

/** Settings a host or its group may have; each is either left out or takes one of these values. */
const KNOBS: Record<string, unknown[]> = {
  site: ['a', 'b'],
  containerd_runtimes: [['runc'], ['runc', 'runsc'], ['runc', 'runsc', 'kata']],
  // The host's own: a literal, or a template of the host's name.
  provision_node_name: ['custom-node', '{{ inventory_hostname }}-x'],
  // Built from a name outside the class and read by tasks: the class cannot share its plan.
  kubelet_flags: [{ 'node-ip': '{{ ansible_host }}' }, { 'max-pods': '110' }],
  containerd_sandbox_image: ['registry.{{ site }}.example/pause:3.9', 'registry.k8s.io/pause:3.9'],
  // Converted by the type checks, and rendered into others before that.
  provision_drain: ['yes', 'no', true],
  provision_task_timeout: ['600', 300],
  provision_drain_timeout: ['{{ provision_task_timeout }}s', '{{ provision_drain }}-x', '5m'],
  // The host's own, built from values the type checks convert ("yes" stays "yes" in the text).
  provision_uncordon_command: ['kubectl uncordon {{sh provision_node_name}} --context {{sh site}} {{ provision_drain }}', 'true'],
  containerd_version: ['1.7.24', '2.0.4'],
  kubernetes_version: ['1.26', '1.29'],
  docker_layout: ['packages', 'static'],
};

/**
 * What a host has apart from its profile: now and then a value a check refuses (its class's, or
 * its own node name, by a name of its own that is no node name), or a typo, which only warns.
 */
const apart = fc.oneof(
  { arbitrary: fc.constant({}), weight: 20 },
  { arbitrary: fc.constant({ provision_task_timeout: 'soon' }), weight: 1 },
  { arbitrary: fc.constant({ name: 'W_x' }), weight: 1 },
  { arbitrary: fc.constant({ containerd_verison: '2.0.4' }), weight: 3 },
);

const settings = fc.record(Object.fromEntries(Object.entries(KNOBS).map(([k, values]) => [k, fc.option(fc.constantFrom(...values), { nil: undefined })])), {
  requiredKeys: [],
});

/**
 * Hosts take one of a few profiles, so that several hosts share a class, each with a name no task
 * reads and whose value is its own (`ansible_host`, as in real fleets).
 */
const inventories = fc.record({
  group: settings,
  profiles: fc.array(settings, { minLength: 1, maxLength: 3 }),
  hosts: fc.array(fc.record({ profile: fc.nat(), apart }), { minLength: 2, maxLength: 6 }),
});

type InventorySpec = { group: Vars; profiles: Vars[]; hosts: { profile: number; apart: Vars }[] };

function inventoryOf(spec: InventorySpec): Inventory {
  const inv = new Inventory();
  const defined = (vars: Vars) => Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined));
  Object.assign(inv.group('k8s_worker').vars, { kubernetes_version: '1.27', provision_roles: ROLES, site: 'z' }, defined(spec.group));
  for (const [i, h] of spec.hosts.entries()) {
    const { name = 'w', ...vars } = h.apart;
    inv.addHost('k8s_worker', `${name}${i}`, { ...defined(spec.profiles[h.profile % spec.profiles.length]!), ansible_host: `10.0.0.${i}`, ...vars });
  }
  return inv.finalize();
}

/** A plan as data: what each instance holds, the loop item included; nothing of how it was made. */
function planData(h: PreparedHost) {
  const instances = (list: PreparedHost['roles'][number]['tasks']) =>
    list.map((t) => ({
      name: t.name,
      type: t.type,
      args: t.args,
      notify: t.notify,
      ifExists: t.ifExists,
      content: t.content,
      warn: t.warn,
      item: t.item,
    }));
  return {
    host: h.host,
    vars: h.vars,
    roles: h.roles.map((r) => ({ role: r.role, tasks: instances(r.tasks), handlers: instances(r.handlers), checks: instances(r.checks), skipped: r.skipped })),
  };
}

type Outcome = { plans: ReturnType<typeof planData>[]; errors: string[]; warnings: string[] };

function outcome(inventory: Inventory, limit?: string): Outcome {
  let run: PreparedRun;
  try {
    run = prepareRun({ inventory, limit, loaded });
  } catch (e) {
    const errors = e instanceof ErrorList ? e.errors : [e];
    if (!errors.every((x) => x instanceof ProvisionError)) throw e;
    return {
      plans: [],
      errors: (errors as ProvisionError[]).map((x) => JSON.stringify([x.host, x.message, x.file, x.line, x.col])),
      warnings: [],
    };
  }
  return { plans: run.hosts.map(planData), errors: [], warnings: run.warnings };
}

describe('plans shared by hosts of a class', () => {
  it('give every host exactly the plan, errors and warnings it gets alone', function () {
    // 200 generated fleets, each prepared twice: 15 s alone on 2 cores, past mocha's 20 s default when the machine is shared.
    this.timeout(90_000);
    let compared = 0;
    fc.assert(
      fc.property(inventories, (spec) => {
        const inventory = inventoryOf(spec);
        const all = outcome(inventory);
        const alone = [...inventory.hosts.keys()].map((h) => outcome(inventory, h));
        const aloneErrors = alone.flatMap((o) => o.errors);
        expect([...all.errors].sort(), 'errors').to.deep.equal([...aloneErrors].sort());
        if (aloneErrors.length) return;
        expect(all.plans).to.deep.equal(alone.map((o) => o.plans[0]));
        expect(new Set(all.warnings)).to.deep.equal(new Set(alone.flatMap((o) => o.warnings)));
        compared++;
      }),
      { numRuns: 200 },
    );
    // Most runs compare plans, not only errors.
    expect(compared).to.be.above(100);
  });

  it('share tasks between hosts that differ only in names no task reads, and keep each host its own name and commands', () => {
    const inv = new Inventory();
    Object.assign(inv.group('k8s_worker').vars, { kubernetes_version: '1.27', provision_roles: ROLES });
    for (let i = 0; i < 20; i++) inv.addHost('k8s_worker', `w${i}`, { ansible_host: `10.0.0.${i}` });
    const [a, b] = prepareRun({ inventory: inv.finalize(), loaded }).hosts;
    const tasks = (h: PreparedHost) => h.roles.flatMap((r) => r.tasks);
    // The very same task objects, frozen: made once for the class (a host's own variables are its PreparedHost's).
    expect(tasks(b!).every((t, i) => t === tasks(a!)[i])).to.equal(true);
    expect(b!.roles).to.equal(a!.roles);
    expect(tasks(b!).every((t) => Object.isFrozen(t) && !('vars' in t))).to.equal(true);
    expect([a!.vars.provision_node_name, b!.vars.provision_node_name]).to.deep.equal(['w0', 'w1']);
    expect(b!.vars.provision_uncordon_command).to.equal('kubectl uncordon w1');
    expect(b!.vars.ansible_host).to.equal('10.0.0.1');
    // Shared values cannot be changed for one host by mistake.
    expect(() => (b!.vars.containerd_runtimes as string[]).push('x')).to.throw(TypeError);
    expect(tasks(b!).every((t) => Object.isFrozen(t.args))).to.equal(true);
  });

  it('does not share a plan whose tasks read a value built from the host name', () => {
    const fixture = join(import.meta.dirname, '../../fixtures/custom-role');
    const inv = new Inventory();
    Object.assign(inv.group('k8s_worker').vars, { provision_roles: ['motd'], motd_text: 'hello from {{ inventory_hostname }}' });
    for (let i = 0; i < 3; i++) inv.addHost('k8s_worker', `w${i}`, { ansible_host: `10.0.0.${i}` });
    const hosts = prepareRun({ inventory: inv.finalize(), rolesDir: join(fixture, 'roles'), templateDir: join(fixture, 'templates') }).hosts;
    expect(hosts.map((h) => h.roles[0]!.tasks[0]!.content)).to.deep.equal(['hello from w0\n', 'hello from w1\n', 'hello from w2\n']);
  });
});
