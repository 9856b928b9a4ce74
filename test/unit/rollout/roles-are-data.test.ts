import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRolesDir, defaultTemplateDir } from '../../../src/core/paths.js';
import { loadRoles } from '../../../src/roles/load-roles.js';

/**
 * Roles are data: the engine and the CLI name no role and no role variable, so a role of your
 * own (PROVISION_ROLES_DIR) is applied, verified and restored exactly as the shipped ones.
 * The rollout settings (provision_*) are the engine's own and may be read there.
 */
describe('roles are data: the engine and the CLI know no role', () => {
  const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
  const code = ['src/plan', 'src/apply', 'src/rollout', 'src/cli'].flatMap(files).map((f) => ({ f, text: readFileSync(f, 'utf8') }));
  const catalog = loadRoles(defaultRolesDir, defaultTemplateDir);
  // Aliases (containerd, docker, kubelet) are also the products' names, which the CLI's help may say.
  const roleNames = catalog.roles.map((r) => r.name);
  const variables = Object.keys(catalog.variables).filter((v) => !v.startsWith('provision_'));

  it('finds the names it looks for (the check can fail)', () => {
    expect([...roleNames, ...variables]).to.include.members(['install-containerd', 'containerd_socket', 'kubelet_unit_file', 'docker_installed_markers']);
    expect('const x = vars.containerd_socket;').to.match(new RegExp(`\\b${'containerd_socket'}\\b`));
  });

  for (const [name, wanted] of [
    ['role names', roleNames],
    ['role variables', variables],
  ] as const) {
    it(`no ${name} in src/plan, src/apply, src/rollout or src/cli`, () => {
      const found = code.flatMap(({ f, text }) => wanted.filter((n) => new RegExp(`(?<![\\w-])${n}(?![\\w-])`).test(text)).map((n) => `${f}: ${n}`));
      expect(found).to.deep.equal([]);
    });
  }
});
