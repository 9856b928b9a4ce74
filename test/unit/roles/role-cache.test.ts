import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, loadRolesCached } from '../../../src/roles/role-cache.js';

describe('roles kept between runs (loadRolesCached)', () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-role-cache-'));
  const roles = join(root, 'roles');
  const templates = join(root, 'templates');
  const cache = join(root, 'cache');
  const role = (description: string) =>
    writeFileSync(join(roles, 'r', 'role.yaml'), `description: ${description}\ntasks:\n  - name: t\n    command: { cmd: "true" }\n`);
  mkdirSync(join(roles, 'r'), { recursive: true });
  mkdirSync(templates);
  const cached = () => join(cache, readdirSync(cache).find((f) => f.startsWith('roles-'))!);

  it('keeps a catalog that loaded, and answers from it while no file changed', () => {
    role('first');
    expect(loadRolesCached(roles, templates, cache).roles[0]!.description).to.equal('first');
    // The kept catalog is what the next run answers with: edited here, the edit is seen (no YAML was read).
    const kept = JSON.parse(readFileSync(cached(), 'utf8'));
    kept.catalog.roles[0].description = 'from the cache';
    writeFileSync(cached(), JSON.stringify(kept));
    expect(loadRolesCached(roles, templates, cache).roles[0]!.description).to.equal('from the cache');
  });

  it('loads and checks afresh once a role or a template changes', () => {
    role('second');
    expect(loadRolesCached(roles, templates, cache).roles[0]!.description).to.equal('second');
    writeFileSync(join(templates, 'x.hbs'), 'x');
    writeFileSync(cached(), JSON.stringify({ ...JSON.parse(readFileSync(cached(), 'utf8')), catalog: { roles: [] } }));
    expect(loadRolesCached(roles, templates, cache).roles[0]!.description).to.equal('second');
  });

  it('sees an edit that keeps the size and the modification time (npm installs every file with one mtime)', () => {
    role('third');
    expect(loadRolesCached(roles, templates, cache).roles[0]!.description).to.equal('third');
    const file = join(roles, 'r', 'role.yaml');
    const before = statSync(file, { bigint: true });
    // touch -r copies the time to the nanosecond (utimes from JavaScript would round it).
    execFileSync('touch', ['-r', file, join(root, 'ref')]);
    role('3rd!!');
    execFileSync('touch', ['-r', join(root, 'ref'), file]);
    const after = statSync(file, { bigint: true });
    expect([after.size, after.mtimeNs]).to.deep.equal([before.size, before.mtimeNs]);
    expect(loadRolesCached(roles, templates, cache).roles[0]!.description).to.equal('3rd!!');
  });

  it('answers from no catalog file someone else could have written (it says what runs on nodes)', () => {
    role('fourth');
    loadRolesCached(roles, templates, cache);
    const kept = JSON.parse(readFileSync(cached(), 'utf8'));
    kept.catalog.roles[0].description = 'planted';
    writeFileSync(cached(), JSON.stringify(kept));
    chmodSync(cached(), 0o666);
    expect(loadRolesCached(roles, templates, cache).roles[0]!.description).to.equal('fourth');
  });

  it('never keeps a catalog with a problem: a broken role fails every run', () => {
    writeFileSync(join(roles, 'r', 'role.yaml'), 'description: broken\nbogus: 1\n');
    for (let i = 0; i < 2; i++) expect(() => loadRolesCached(roles, templates, cache)).to.throw(/unknown key "bogus"/);
  });

  it('is off when run from the TypeScript source (the loader may change without the build changing) or with PROVISION_CACHE_DIR=off', () => {
    expect(cacheDir()).to.equal(undefined);
  });
});
