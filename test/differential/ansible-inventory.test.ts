import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { selectHosts } from '../../src/inventory/host-patterns.js';
import { inventoryGraph, inventoryList } from '../../src/inventory/inventory-report.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { generateInventory, type GeneratedInventory } from './generate-inventory.js';
import { type AnsibleJob, type AnsibleResult, runAnsible } from './run-ansible.js';

/**
 * Differential test: generated inventories read by provision and by the real ansible-core
 * (`ansible-inventory --list`, `--graph`, `ansible all --limit P --list-hosts`) must agree.
 * DIFF_CASES / DIFF_SEED choose how many cases and the first seed; a failure prints its seed,
 * and `DIFF_SEED=<seed> DIFF_CASES=1 npx mocha test/differential` replays it alone.
 */
const CASES = Number(process.env.DIFF_CASES ?? 300);
const FIRST_SEED = Number(process.env.DIFF_SEED ?? 1);

interface Outcome {
  seed: number;
  what: string;
  ansible: unknown;
  provision: unknown;
}

describe(`differential: provision vs ansible-core on ${CASES} generated inventories`, function () {
  this.timeout(600_000);
  let root: string;
  const cases: GeneratedInventory[] = [];
  let results: AnsibleResult[] = [];
  const jobsOf = new Map<number, { list: number; graph: number; limits: number[] }>();

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'provision-diff-'));
    const jobs: AnsibleJob[] = [];
    for (let seed = FIRST_SEED; seed < FIRST_SEED + CASES; seed++) {
      const c = generateInventory(seed);
      cases.push(c);
      const dir = join(root, String(seed));
      for (const [name, text] of Object.entries(c.files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      const add = (job: Omit<AnsibleJob, 'cwd'>) => jobs.push({ ...job, cwd: dir }) - 1;
      jobsOf.set(seed, {
        list: add({ cli: 'inventory', argv: ['-i', c.source, '--list'] }),
        graph: add({ cli: 'inventory', argv: ['-i', c.source, '--graph'] }),
        limits: c.patterns.map((p) => add({ cli: 'adhoc', argv: ['-i', c.source, 'all', '--limit', p, '--list-hosts'] })),
      });
    }
    mkdirSync(join(root, 'home', 'tmp'), { recursive: true });
    const started = Date.now();
    results = runAnsible(jobs, join(root, 'home'));
    console.log(`      ansible-core: ${jobs.length} runs for ${CASES} inventories in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('gives the same --list, --graph and --limit hosts for every generated inventory', () => {
    const failures: Outcome[] = [];
    let compared = 0;
    for (const c of cases) {
      const jobs = jobsOf.get(c.seed)!;
      const list = results[jobs.list]!;
      const graph = results[jobs.graph]!;
      if (list.rc !== 0 || graph.rc !== 0) {
        failures.push({ seed: c.seed, what: 'ansible rejected the generated inventory', ansible: list.stderr + graph.stderr, provision: null });
        continue;
      }
      let inv: ReturnType<typeof loadInventory>;
      try {
        inv = loadInventory(join(root, String(c.seed), c.source));
      } catch (e) {
        failures.push({ seed: c.seed, what: 'provision rejected it', ansible: 'ok', provision: (e as Error).message });
        continue;
      }
      const hosts = [...inv.hosts.keys()];
      compare(failures, c.seed, '--list', JSON.parse(list.stdout), JSON.parse(JSON.stringify(inventoryList(inv, hosts, { showSecrets: true }))));
      compare(failures, c.seed, '--graph', graph.stdout.trimEnd(), inventoryGraph(inv, hosts));
      for (const [i, p] of c.patterns.entries()) {
        const limited = results[jobs.limits[i]!]!;
        const theirs = listedHosts(limited);
        let ours: string[] | string;
        try {
          ours = selectHosts(inv, p);
        } catch (e) {
          // provision refuses what Ansible ignores with a warning (a term matching nothing) or
          // refuses too (no host left): both are no hosts.
          const ignored = /Could not match supplied host pattern/.test(limited.stderr);
          ours = theirs.length === 0 || ignored ? [] : `error: ${(e as Error).message}`;
          if (ignored) continue;
        }
        // Ansible's order of a group's hosts below its children comes from iterating a Python set of
        // Group objects (Group._walk_relationship), which varies between runs: compare the sets.
        compare(failures, c.seed, `--limit '${p}'`, [...theirs].sort(), Array.isArray(ours) ? [...ours].sort() : ours);
      }
      compared++;
    }
    if (failures.length) {
      const shown = failures
        .slice(0, 5)
        .map((f) => `seed ${f.seed} ${f.what}:\n  ansible:   ${JSON.stringify(f.ansible)}\n  provision: ${JSON.stringify(f.provision)}`);
      const seeds = [...new Set(failures.map((f) => f.seed))];
      expect.fail(
        `${failures.length} differences in ${seeds.length} inventories (seeds ${seeds.slice(0, 20).join(', ')}); replay one with DIFF_SEED=<seed> DIFF_CASES=1\n${shown.join('\n')}`,
      );
    }
    expect(compared).to.equal(CASES);
  });
});

function compare(failures: Outcome[], seed: number, what: string, ansible: unknown, provision: unknown): void {
  if (JSON.stringify(sortKeys(ansible)) !== JSON.stringify(sortKeys(provision))) failures.push({ seed, what, ansible, provision });
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** `ansible --list-hosts` prints `  hosts (N):` then one host per line; no match is zero hosts. */
function listedHosts(r: AnsibleResult): string[] {
  if (r.rc !== 0) return [];
  const lines = r.stdout.split('\n');
  const head = lines.findIndex((l) => /^\s*hosts \(\d+\):/.test(l));
  if (head < 0) return [];
  return lines
    .slice(head + 1)
    .map((l) => l.trim())
    .filter(Boolean);
}
