import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { nodeSnapshot, provision, type Report, serviceStates } from '../helpers/fleet-run.js';

/**
 * Issue 23 on real nodes: a node's daemon.json is input. One node holds `{"log-opts": null}`, one an
 * escape sequence in `log-driver`, beside a healthy node, in ONE run of the real CLI over SSH. The
 * healthy node migrates; the other two are refused in the preflight with a one-line reason and left
 * untouched; the recap, the report and the exit code (2, a host failed) are those of a finished run.
 * (kubelet on the nodes is the fleet's STAND-IN; no drain, so no kubectl.)
 */
describe('end to end: odd daemon.json on two nodes refuses them, the healthy node migrates, one run', function () {
  this.timeout(900_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-hostile-node-'));
  let run: ReturnType<typeof provision>;
  let untouched: Record<string, [Map<string, string>, string]>;
  const ESC = '\u001b';

  /** daemon.json as the fleet image has it (bridge settings), plus `extra`, written raw on the node. */
  const plant = (node: string, extra: string) =>
    fleet.ssh(node, `cat > /etc/docker/daemon.json <<'EOF'\n{"bridge": "none", "iptables": false, "ip-masq": false, ${extra}}\nEOF`);

  before(async function () {
    requireFleet(this, 'end-to-end tests');
    fleet = await Fleet.up(await testFleetDir('hostile-node'), [{ name: 'hn01' }, { name: 'hn02' }, { name: 'hn03' }]);
    plant('hn02', '"log-opts": null');
    // JSON's own escape, so the file holds the ESC character itself once parsed (as a hostile node's would).
    plant('hn03', `"log-driver": "\\u001b[2J\\u001b[Hok"`);
    untouched = Object.fromEntries(['hn02', 'hn03'].map((n) => [n, [nodeSnapshot(fleet, n), serviceStates(fleet, n)]]));
    run = provision(fleet, [], join(out, 'report.json'));
  });

  after(async () => {
    await fleet?.destroy();
  });

  const tasks = (report: Report, host: string) => report.tasks.filter((t) => t.host === host);

  it('the run finishes: exit 2, a recap line for every host, a report with every host', () => {
    expect(run.code, run.stdout + run.stderr).to.equal(2);
    expect(run.stdout + run.stderr).to.not.match(/internal error/);
    for (const h of ['hn01', 'hn02', 'hn03']) expect(run.stdout, h).to.match(new RegExp(`^${h}\\s*: ok=\\d+ changed=\\d+ unreachable=0 failed=\\d+`, 'm'));
    expect(Object.keys(run.report.summary).sort()).to.deep.equal(['hn01', 'hn02', 'hn03']);
  });

  it('the healthy node migrates: containerd runs, Docker is gone', () => {
    expect(run.report.summary.hn01).to.deep.include({ failed: 0, unreachable: 0 });
    expect(run.report.summary.hn01!.changed).to.be.above(0);
    expect(fleet.ssh('hn01', 'systemctl is-active containerd').stdout).to.equal('active\n');
    expect(fleet.ssh('hn01', '[ -e /etc/docker ] && echo docker left; true').stdout).to.equal('');
  });

  it('the others are refused in the preflight with a one-line reason naming the key, and left untouched', () => {
    const reasons: Record<string, string> = {
      hn02: 'node answered something provision cannot read: /etc/docker/daemon.json "log-opts" is null, expected a map',
      hn03: 'node answered something provision cannot read: /etc/docker/daemon.json "log-driver" holds the control character U+001B',
    };
    for (const [host, reason] of Object.entries(reasons)) {
      const t = tasks(run.report, host);
      expect(
        t.map((x) => `${x.task}: ${x.status}`),
        host,
      ).to.deep.equal(['preflight: failed']);
      expect(t[0]!.error!.split('\n').slice(1), host).to.deep.equal([reason]);
      expect(run.report.summary[host]).to.deep.include({ failed: 1, changed: 0, unreachable: 0 });
      expect(nodeSnapshot(fleet, host), `${host} files`).to.deep.equal(untouched[host]![0]);
      expect(serviceStates(fleet, host), `${host} services`).to.equal(untouched[host]![1]);
    }
    // The escape sequence is named, never sent: no ESC in what the run printed or reported about it.
    expect(JSON.stringify(run.report)).to.not.include(ESC);
    expect(run.stdout).to.not.include(`${ESC}[2J`);
  });
});
