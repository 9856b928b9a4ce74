import { expect } from 'chai';
import fc from 'fast-check';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsFact } from '../../../src/facts/exists.js';
import type { Fact } from '../../../src/facts/fact.js';
import { pathFact } from '../../../src/facts/path.js';
import { probeScript } from '../../../src/facts/probe-script.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/** Each fact probed on its own (its own `probe`, no group), as before groups existed. */
const alone = (f: Fact<unknown>): Fact<unknown> => ({ ...f, group: undefined });

async function gather(facts: Fact<unknown>[]) {
  const probes = probeScript(facts);
  const r = await new LocalTransport().run(probes.script);
  return probes.parse(r.stdout);
}

type Kind = 'file' | 'dir' | 'link' | 'dangling' | 'missing' | 'empty' | 'locked';

/** Names a node's paths can have (provision refuses some of these in variables, not in roles' own paths). */
const name = fc
  .array(fc.constantFrom('a', 'Z', '0', '.', '-', '_', '|', ' ', '\\', "'", '"', '$', '*', '\n', 'é', '\\n', 'sha256 '), { minLength: 1, maxLength: 6 })
  .map((a) => a.join(''))
  .filter((n) => n !== '.' && n !== '..' && !n.includes('/'));

describe('fact groups answer as each fact alone would (fast-check, real files)', function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'provision-groups-'));
  });
  after(() => {
    chmodSync(join(root), 0o755);
    rmSync(root, { recursive: true, force: true });
  });

  it('paths (stat, links, sha256) and existence, in one section per kind', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(name, fc.constantFrom<Kind>('file', 'dir', 'link', 'dangling', 'missing', 'empty', 'locked'), fc.string()), {
          selector: ([n]) => n,
          minLength: 1,
          maxLength: 8,
        }),
        async (entries) => {
          const dir = join(root, String(round++));
          mkdirSync(dir);
          mkdirSync(join(dir, 'locked'), { mode: 0o700 });
          const paths = entries.map(([n, kind, content]) => {
            const p = kind === 'locked' ? join(dir, 'locked', n) : join(dir, n);
            if (kind === 'file' || kind === 'locked') writeFileSync(p, content);
            if (kind === 'empty') writeFileSync(p, '');
            if (kind === 'dir') mkdirSync(p);
            if (kind === 'link') symlinkSync(join(dir, 'locked'), p);
            if (kind === 'dangling') symlinkSync(`/nowhere/${content.replace(/\0/g, '')}`, p);
            return p;
          });
          const facts = paths.flatMap((p) => [pathFact(p), pathFact(p, { sha256: true }), existsFact(p)]);
          expect(facts.filter((f) => f.group).length, 'grouped facts').to.be.greaterThan(0);
          const grouped = await gather(facts);
          const single = await gather(facts.map(alone));
          for (const f of facts) expect(grouped.get(f.key), f.key).to.deep.equal(single.get(f.key));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a group is one section: its processes do not grow with the number of paths', async () => {
    const dir = join(root, 'many');
    mkdirSync(dir);
    const paths = Array.from({ length: 40 }, (_, i) => join(dir, `f${i}`));
    for (const p of paths) writeFileSync(p, p);
    const script = probeScript(paths.map((p) => pathFact(p, { sha256: true }))).script;
    expect(script.match(/sha256sum/g)).to.have.length(1);
    expect(script.match(/stat -c/g)).to.have.length(1);
  });
});
