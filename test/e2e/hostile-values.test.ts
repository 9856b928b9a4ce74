import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, requireFleet, testFleetDir } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { nodeSnapshot, provision } from '../helpers/fleet-run.js';

/**
 * Issue 14: a hostile value never runs on a node. Values that no file or command can carry are
 * refused (exit 3, naming the variable and where it was set) before any SSH connection, and the
 * node is left byte for byte as it was; a legal but odd value (`%`, `$`, `;`, `$(...)`, backticks
 * in a path; a space in a flag value) reaches the unit and the running process intact.
 */
describe('end to end: hostile values never run on the node', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-hostile-e2e-'));
  /** sshd logs every accepted login: a run refused before connecting adds none. */
  const logins = () => Number(fleet.ssh('worker01', "journalctl -u ssh -o cat --no-pager | grep -c 'Accepted publickey' || true").stdout.trim());
  const planted = () => fleet.ssh('worker01', 'ls /tmp/x /tmp/y /tmp/z 2>/dev/null; true').stdout;

  before(async function () {
    requireFleet(this, 'hostile value tests');
    fleet = await Fleet.up(await testFleetDir('hostile'), [{ name: 'worker01', kubeletVersion: '1.29' }]);
  });

  after(async () => {
    await fleet?.destroy();
  });

  const variants: { what: string; inventoryLines?: string[]; groupVars?: string; extra?: string[]; message: RegExp }[] = [
    {
      what: 'a shell command list in a path (INI group var)',
      inventoryLines: ['containerd_bin_dir="/bin/true; touch /tmp/x; true "'],
      message: /hosts\.ini:\d+:1: variable containerd_bin_dir: path "\/bin\/true; touch \/tmp\/x; true " holds whitespace/,
    },
    {
      what: 'a newline and a second command in a path (-e JSON)',
      extra: ['{"containerd_bin_dir": "/usr/local/bin\\ntouch /tmp/x"}'],
      message: /-e:1:2: variable containerd_bin_dir: .*U\+000A/,
    },
    {
      what: '$( ) in a path (group_vars file)',
      groupVars: 'containerd_bin_dir: "/usr/local/bin/$(touch /tmp/x)"\n',
      message: /group_vars\/k8s_worker\.yml:1:1: variable containerd_bin_dir: path .* holds whitespace/,
    },
    {
      what: 'a unit directive in a kubelet flag value (group_vars file)',
      groupVars: 'kubelet_flags:\n  node-ip: "10.0.0.9\\nExecStartPre=/usr/bin/touch /tmp/x"\n',
      message: /group_vars\/k8s_worker\.yml:1:1: kubelet_flags\.node-ip: .*U\+000A/,
    },
    {
      what: 'a recursive-delete tmpfiles line in the dockershim socket path (-e JSON)',
      extra: ['{"dockershim_socket_symlink": true, "dockershim_socket_path": "/run/dockershim.sock\\nR /var/lib/kubelet"}'],
      message: /-e:1:\d+: variable dockershim_socket_path: .*U\+000A/,
    },
  ];

  for (const v of variants) {
    it(`${v.what}: exit 3 before connecting, the node untouched`, () => {
      const dir = join(out, v.what.replace(/\W+/g, '-'));
      mkdirSync(join(dir, 'group_vars'), { recursive: true });
      const inventory = join(dir, 'hosts.ini');
      writeFileSync(inventory, `${readFileSync(fleet.writeInventory(), 'utf8')}${(v.inventoryLines ?? []).join('\n')}\n`);
      if (v.groupVars) writeFileSync(join(dir, 'group_vars', 'k8s_worker.yml'), v.groupVars);
      const snapshot = nodeSnapshot(fleet, 'worker01');
      const before = logins();
      const r = runCli(['-i', inventory, '--known-hosts', fleet.knownHostsFile, ...(v.extra ?? []).flatMap((e) => ['-e', e])]);
      expect(r.code, r.stdout + r.stderr).to.equal(3);
      expect(r.stderr).to.match(v.message);
      expect(r.stderr).to.include('[host worker01]');
      // The only login since is the one that counts them.
      expect(logins() - before, 'SSH logins during the refused run').to.equal(1);
      expect(nodeSnapshot(fleet, 'worker01')).to.deep.equal(snapshot);
      expect(planted()).to.equal('');
    });
  }

  it('legal but odd values reach the unit and the running processes intact, and nothing in them runs', () => {
    const odd = '/opt/odd%h$HOME;$(touch${IFS}/tmp/x)`touch${IFS}/tmp/y`&&>z';
    const label = 'odd=a b%h$HOME;$(touch /tmp/z)';
    const inventory = fleet.writeInventory();
    const r = provision(fleet, ['-e', JSON.stringify({ containerd_bin_dir: odd, kubelet_flags: { 'node-labels': label } })], join(out, 'odd.json'), inventory);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const argv = (unit: string) =>
      fleet.ssh('worker01', `tr '\\0' '\\n' < /proc/$(systemctl show -p MainPID --value ${unit})/cmdline`).stdout.split('\n').slice(0, -1);
    expect(argv('containerd')[0]).to.equal(`${odd}/containerd`);
    const shown = fleet.ssh('worker01', 'systemctl show -p ExecStart containerd').stdout;
    expect(shown.includes(`path=${odd}/containerd ;`), shown).to.equal(true);
    expect(argv('kubelet')).to.include(`--node-labels=${label}`);
    expect(fleet.ssh('worker01', 'systemctl is-active containerd kubelet').stdout).to.equal('active\nactive\n');
    expect(planted()).to.equal('');
    expect(fleet.ssh('worker01', 'ls /z / 2>/dev/null | grep -x z; true').stdout).to.equal('');
  });
});
