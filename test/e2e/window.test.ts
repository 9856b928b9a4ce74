import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';

/**
 * provision_strategy window against waves on 6 real nodes, one of whose drains is slow. kubectl is a
 * STAND-IN on the controller's PATH (no API server can run here): it logs each drain, label and
 * uncordon with the time it started and ended, and sleeps in the drain of $KUBECTL_SLOW_NODE.
 * Both runs change the same thing on every node (the sandbox image), so both drain every node.
 */
describe('end to end: a sliding window against waves, with one slow drain', function () {
  this.timeout(1_500_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-window-'));
  const bin = join(out, 'bin');
  const log = join(out, 'kubectl.log');
  const nodes = ['worker01', 'worker02', 'worker03', 'worker04', 'worker05', 'worker06'];
  let env: Record<string, string>;

  before(async function () {
    requireFleet(this, 'end-to-end window tests');
    fleet = await Fleet.up(
      await testFleetDir('window'),
      nodes.map((name) => ({ name })),
    );
    fleet.writeInventory(['provision_drain=True']);
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'kubectl'),
      [
        '#!/bin/sh',
        '# kubectl STAND-IN for tests: logs "<ms> start|end <verb> <node>" for each call but the reads and dry runs;',
        '# the drain of $KUBECTL_SLOW_NODE takes 20 s.',
        '[ "$1" = get ] && { echo \'{"items":[]}\'; exit 0; }',
        'case "$*" in *--dry-run=server*) exit 0;; esac',
        'node=$2; [ "$1" = label ] && node=$3',
        'echo "$(date +%s%3N) start $1 $node" >> "$KUBECTL_LOG"',
        '[ "$1" = drain ] && [ "$2" = "$KUBECTL_SLOW_NODE" ] && sleep 20',
        'echo "$(date +%s%3N) end $1 $node" >> "$KUBECTL_LOG"',
        'exit 0',
        '',
      ].join('\n'),
    );
    chmodSync(join(bin, 'kubectl'), 0o755);
    env = { PATH: `${bin}:${process.env.PATH}`, KUBECTL_LOG: log, KUBECTL_SLOW_NODE: 'worker02', CI: '1' };
    // The first migration, without drains: the runs compared below each change one thing.
    const first = runCli(['-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '-e', 'provision_drain=false'], { env, timeoutMs: 1_200_000 });
    expect(first.code, first.stdout + first.stderr).to.equal(0);
    // Two more names of the pause image each node handed over: two sandbox images the nodes have, one per run below.
    for (const n of nodes) {
      for (const tag of ['waves', 'window']) fleet.ssh(n, `ctr -n k8s.io images tag --force k8s.gcr.io/pause:3.6 registry.test/pause:${tag}`);
    }
  });

  after(async () => {
    await fleet?.destroy();
  });

  /** One rollout; what the stand-in logged: per node, the span from its drain's start to its uncordon's end. */
  const rollout = (vars: Record<string, unknown>, image: string) => {
    writeFileSync(log, '');
    const report = join(out, 'report.json');
    const r = runCli(
      [
        '-i',
        fleet.inventoryFile,
        '--known-hosts',
        fleet.knownHostsFile,
        '--report',
        report,
        '-e',
        JSON.stringify({ ...vars, containerd_sandbox_image: image }),
      ],
      {
        env,
        timeoutMs: 1_200_000,
      },
    );
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const entries = (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []).map((l) => {
      const [ms, edge, verb, node] = l.split(' ');
      return { ms: Number(ms), edge, verb, node };
    });
    const spans = nodes.map((n) => {
      const drain = entries.find((e) => e.verb === 'drain' && e.edge === 'start' && l(e) === n);
      const uncordon = entries.find((e) => e.verb === 'uncordon' && e.edge === 'end' && l(e) === n);
      expect(drain && uncordon, `${n} drained and uncordoned`).to.not.equal(undefined);
      return { node: n, from: drain!.ms, to: uncordon!.ms };
    });
    const inFlight = Math.max(...spans.map((s) => spans.filter((o) => o.from <= s.from && o.to > s.from).length));
    const took = Math.max(...spans.map((s) => s.to)) - Math.min(...spans.map((s) => s.from));
    const hosts = JSON.parse(readFileSync(report, 'utf8')).hosts as Record<string, { start: number }>;
    const started = Object.keys(hosts).sort((a, b) => hosts[a]!.start - hosts[b]!.start);
    return { r, entries, spans, inFlight, took, started };
  };
  const l = (e: { node?: string }) => e.node;

  it('window of 2 finishes sooner than waves of 2, never has more than 2 in flight, keeps the inventory order and labels each node before its uncordon', () => {
    const waves = rollout({ provision_strategy: 'waves', provision_serial: 2 }, 'registry.test/pause:waves');
    const window = rollout(
      { provision_strategy: 'window', provision_serial: 2, provision_node_labels: { 'node.kubernetes.io/container-runtime': 'containerd' } },
      'registry.test/pause:window',
    );
    expect(waves.inFlight).to.be.at.most(2);
    expect(window.inFlight).to.be.at.most(2);
    expect(window.r.stdout).to.include('window of 2');
    // Hosts start in the inventory's order (their drains follow their preflights, which take what they take).
    expect(window.started).to.deep.equal(nodes);
    expect(waves.started).to.deep.equal(nodes);
    // Waves wait for the slow drain of worker02 before worker03 starts; the window does not.
    const start = (x: typeof window, n: string) => x.spans.find((s) => s.node === n)!.from;
    const end = (x: typeof window, n: string) => x.spans.find((s) => s.node === n)!.to;
    expect(start(waves, 'worker03')).to.be.at.least(end(waves, 'worker02'));
    expect(start(window, 'worker03')).to.be.below(end(window, 'worker02'));
    expect(window.took, `window ${window.took} ms, waves ${waves.took} ms`).to.be.below(waves.took);
    for (const n of nodes) {
      const labelled = window.entries.find((e) => e.verb === 'label' && e.edge === 'end' && l(e) === n);
      expect(labelled, `${n} labelled`).to.not.equal(undefined);
      expect(labelled!.ms).to.be.at.most(end(window, n));
    }
    console.log(`      window of 2: ${window.took} ms; waves of 2: ${waves.took} ms`);
  });
});
