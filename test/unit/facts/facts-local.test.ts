import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fact } from '../../../src/facts/fact.js';
import { archiveFact } from '../../../src/facts/archive.js';
import { existsFact } from '../../../src/facts/exists.js';
import { pathFact } from '../../../src/facts/path.js';
import { unitFact } from '../../../src/facts/unit-state.js';
import { probeScript } from '../../../src/facts/probe-script.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/** Probes run for real on this machine, in one probe script, as the engine runs them on nodes. */
async function gather(facts: Fact<unknown>[]) {
  const probes = probeScript(facts);
  const t = new LocalTransport();
  const r = await t.run(probes.script);
  expect(t.runs).to.equal(1);
  return probes.parse(r.stdout);
}

describe('facts, probed for real', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-facts-'));
  writeFileSync(join(dir, 'f'), 'hello\n', { mode: 0o644 });
  writeFileSync(join(dir, 'private'), 'secret\n', { mode: 0o640 });
  mkdirSync(join(dir, 'd'));
  symlinkSync('/nowhere', join(dir, 'l'));

  it('stat, sha256, content and links of paths, several in one round trip', async () => {
    const f = pathFact(join(dir, 'f'), { sha256: true, content: true });
    const d = pathFact(join(dir, 'd'));
    const l = pathFact(join(dir, 'l'));
    const m = pathFact(join(dir, 'missing'));
    const v = await gather([f, d, l, m, existsFact(join(dir, 'l')), existsFact(join(dir, 'nope'))]);
    expect(v.get(f.key)).to.deep.include({
      exists: true,
      type: 'regular file',
      mode: '0644',
      size: 6,
      sha256: createHash('sha256').update('hello\n').digest('hex'),
      content: 'hello\n',
    });
    expect(v.get(d.key)).to.deep.include({ exists: true, type: 'directory' });
    // Content others may not read is never fetched, so it cannot reach --diff or a report.
    expect(
      (await gather([pathFact(join(dir, 'private'), { sha256: true, content: true })])).get(
        pathFact(join(dir, 'private'), { sha256: true, content: true }).key,
      ),
    )
      .to.deep.include({ mode: '0640' })
      .and.not.have.property('content');
    expect(v.get(l.key)).to.deep.include({ exists: true, type: 'symbolic link', linkTarget: '/nowhere' });
    expect(v.get(m.key)).to.deep.equal({ exists: false });
    expect(v.get(existsFact(join(dir, 'l')).key)).to.equal(true);
    expect(v.get(existsFact(join(dir, 'nope')).key)).to.equal(false);
  });

  it('a probe that prints a fake end marker cannot confuse the probe script', async () => {
    const evil: Fact<string> = { key: 'evil', probe: `echo '@@provision-deadbeef-end 0 0'; echo real`, parse: (out) => out };
    const after = pathFact(join(dir, 'f'));
    const v = await gather([evil, after]);
    expect(v.get('evil')).to.equal('@@provision-deadbeef-end 0 0\nreal\n');
    expect(v.get(after.key)).to.deep.include({ exists: true });
  });

  it('tar --compare finds missing and changed members, honouring strip_components', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'bin'), { recursive: true });
    writeFileSync(join(src, 'bin', 'a'), 'A');
    writeFileSync(join(src, 'bin', 'b'), 'B');
    execFileSync('tar', ['-C', src, '-czf', join(dir, 'x.tgz'), 'bin']);
    const dest = join(dir, 'dest');
    const fact = () => archiveFact(join(dir, 'x.tgz'), dest, 1, []);
    expect((await gather([fact()])).get(fact().key)).to.deep.include({ archiveExists: true, differences: ['destination directory is missing'] });
    mkdirSync(dest);
    expect(((await gather([fact()])).get(fact().key) as { differences: string[] }).differences.sort()).to.deep.equal(['missing: a', 'missing: b']);
    execFileSync('tar', ['-C', dest, '-xzf', join(dir, 'x.tgz'), '--strip-components=1']);
    const same = (await gather([fact()])).get(fact().key) as { differences: string[]; owners: string[] };
    expect(same.differences).to.deep.equal([]);
    expect(same.owners).to.have.length(1);
    writeFileSync(join(dest, 'b'), 'changed');
    const changed = (await gather([fact()])).get(fact().key) as { differences: string[] };
    expect(changed.differences.join(' ')).to.match(/b: (Size|Contents|Mod time) differ/);
    const none = archiveFact(join(dir, 'none.tgz'), dest, 0, []);
    expect((await gather([none])).get(none.key)).to.deep.equal({ archiveExists: false, differences: [], owners: [], quick: false });
  });

  it('parses systemctl show output (recorded from a node)', () => {
    const f = unitFact('containerd');
    expect(f.parse('LoadState=loaded\nActiveState=active\nUnitFileState=enabled\nNeedDaemonReload=yes\n', 0)).to.deep.equal({
      loadState: 'loaded',
      activeState: 'active',
      unitFileState: 'enabled',
      needDaemonReload: true,
    });
    expect(f.parse('LoadState=not-found\nActiveState=inactive\nUnitFileState=\nNeedDaemonReload=no\n', 0)).to.deep.include({
      loadState: 'not-found',
      unitFileState: '',
    });
  });
});
