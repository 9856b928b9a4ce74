import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRolesDir, defaultTemplateDir } from '../../../src/core/paths.js';
import { loadRoles } from '../../../src/roles/load-roles.js';

/**
 * Roles are data: no code in src/ names a role, and the engine and the CLI name no role variable,
 * so a role of your own (PROVISION_ROLES_DIR) is planned, preflighted, applied, verified and
 * restored exactly as the shipped ones (a role says which preflight checks apply in its
 * `preflight:`). The rollout settings (provision_*) are the engine's own and may be read there.
 * Comments may name the shipped roles (to explain); code, messages and tables may not.
 */
describe('roles are data: src/ knows no role', () => {
  const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
  const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const codeOf = (dirs: string[]) => dirs.flatMap(files).map((f) => ({ f, text: withoutComments(readFileSync(f, 'utf8')) }));
  const everyFolder = readdirSync('src').map((d) => join('src', d));
  const engine = ['src/plan', 'src/apply', 'src/rollout', 'src/cli'];
  const catalog = loadRoles(defaultRolesDir, defaultTemplateDir);
  // Aliases (containerd, docker, kubelet) are also the products' names, which the CLI's help may say.
  const roleNames = catalog.roles.map((r) => r.name);
  const variables = Object.keys(catalog.variables).filter((v) => !v.startsWith('provision_'));
  // A name as a word of its own, not inside a longer name; a role name not inside a path or a URL (kubelet-config.v1beta1).
  const isRole = (wanted: readonly string[]) => wanted === roleNames;
  const word = (n: string, role: boolean) => new RegExp(role ? `(?<![\\w/.-])${n}(?![\\w-]|\\.\\w)` : `(?<![\\w-])${n}(?![\\w-])`);
  const namesIn = (text: string, wanted: readonly string[]) => wanted.filter((n) => word(n, isRole(wanted)).test(text));

  it('finds the names it looks for in code that has them, and not in comments (the check can fail)', () => {
    expect(everyFolder).to.include.members(['src/domain', 'src/core', 'src/rollout', 'src/cli']);
    const sample = withoutComments(
      `// install-runc\nconst a = 'install-containerd'; /* remove-docker */\nconst u = 'https://x/kubelet-config.v1beta1/';\nif (vars.containerd_socket) f();\n`,
    );
    expect(namesIn(sample, roleNames)).to.deep.equal(['install-containerd']);
    expect(namesIn(sample, variables)).to.deep.equal(['containerd_socket']);
    // The repository's own role files do name them: the finder reads real text.
    const roleYaml = readFileSync(join(defaultRolesDir, 'kubelet-config', 'role.yaml'), 'utf8');
    expect(namesIn(roleYaml, variables)).to.include('kubelet_unit_file');
  });

  it('no role names in any folder of src/', () => {
    const found = codeOf(everyFolder).flatMap(({ f, text }) => namesIn(text, roleNames).map((n) => `${f}: ${n}`));
    expect(found).to.deep.equal([]);
  });

  it('no role variables in src/plan, src/apply, src/rollout or src/cli', () => {
    const found = codeOf(engine).flatMap(({ f, text }) => namesIn(text, variables).map((n) => `${f}: ${n}`));
    expect(found).to.deep.equal([]);
  });
});
