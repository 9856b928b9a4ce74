import { execFileSync } from 'node:child_process';
import { defaultRolesDir, defaultTemplateDir } from '../../src/core/paths.js';
import { loadRoles } from '../../src/roles/load-roles.js';
import { prepareRun } from '../../src/plan/prepare.js';
import type { PreparedHost } from '../../src/plan/model.js';
import { renderedFiles, type RenderedFile } from '../../src/plan/render.js';
import { Inventory, type Vars } from '../../src/inventory/inventory.js';

/**
 * Prepares hosts with the given variables, using the project's real roles and templates.
 * kubernetes_version defaults to 1.26; a variable set to undefined is left out.
 */
export function prepareHosts(hosts: Record<string, Vars>, roles: string[] = []): PreparedHost[] {
  const inv = new Inventory();
  for (const [name, vars] of Object.entries(hosts)) {
    const defined = Object.entries({ kubernetes_version: '1.26', ...vars }).filter(([, v]) => v !== undefined);
    inv.addHost('k8s_worker', name, Object.fromEntries(defined));
  }
  return prepareRun({ inventory: inv.finalize(), roles }).hosts;
}

/** The preflight kinds the project's real roles of these names declare (their role.yaml `preflight:`). */
export function declaredBy(roleNames: readonly string[]): ReadonlySet<string> {
  const { roles } = loadRoles(defaultRolesDir, defaultTemplateDir);
  return new Set(roles.filter((r) => roleNames.includes(r.name)).flatMap((r) => r.preflight));
}

export function prepareHost(vars: Vars, roles: string[] = []): PreparedHost {
  return prepareHosts({ node1: vars }, roles)[0]!;
}

export function renderHost(vars: Vars, roles: string[] = []): Map<string, RenderedFile> {
  return new Map(renderedFiles([prepareHost(vars, roles)]).map((f) => [f.path, f]));
}

/**
 * Tests that run a real tool skip loudly without it on a developer machine, but fail under
 * CI=true, where .ci/run installs it.
 */
export function requireTool(ctx: Mocha.Context, tool: string, pkg: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
  } catch {
    if (process.env.CI) throw new Error(`${tool} is missing under CI: .ci/run must install the Debian package ${pkg}`);
    console.warn(`      SKIPPED: ${tool} is not installed (apt-get install ${pkg}); this test runs the real tool`);
    ctx.skip();
  }
}
