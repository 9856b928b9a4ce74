import { expect } from 'chai';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, testFleetDir, requireFleet } from '../fleet/fleet.js';
import { runCli } from '../helpers/cli.js';

/**
 * A role that exists only in this test (test/fixtures/custom-role: its own template, handler and
 * verify section), brought with PROVISION_ROLES_DIR/PROVISION_TEMPLATE_DIR, is applied, verified
 * and restored on a real node exactly as the shipped roles are: the engine knows no role.
 */
describe('end to end: a role of your own is applied, verified and restored', function () {
  this.timeout(300_000);
  let fleet: Fleet;
  const out = mkdtempSync(join(tmpdir(), 'provision-custom-'));
  const rolesDir = join(out, 'roles');
  const env = { PROVISION_ROLES_DIR: rolesDir, PROVISION_TEMPLATE_DIR: 'test/fixtures/custom-role/templates' };
  let inventory: string;
  const run = (args: string[], name: string) => {
    const report = join(out, `${name}.json`);
    const r = runCli(['-i', inventory, '--known-hosts', fleet.knownHostsFile, '--report', report, ...args], { env });
    return { ...r, report: JSON.parse(readFileSync(report, 'utf8')) };
  };
  const verify = (report: { tasks: { task: string; status: string; reason?: string; error?: string }[] }) => report.tasks.find((t) => t.task === 'verify node');

  before(async function () {
    requireFleet(this, 'custom role tests');
    cpSync('test/fixtures/custom-role/roles', rolesDir, { recursive: true });
    // The rollout settings (provision_verify and such) are shared variables: a roles dir of your own brings them.
    copyFileSync('roles/variables.yaml', join(rolesDir, 'variables.yaml'));
    fleet = await Fleet.up(await testFleetDir('custom-role'), [{ name: 'worker01' }]);
    const n = fleet.node('worker01');
    inventory = join(out, 'hosts.ini');
    writeFileSync(
      inventory,
      [
        `worker01 ansible_host=127.0.0.1 ansible_port=${n.port} ansible_user=root ansible_ssh_private_key_file=${fleet.keyFile}`,
        '[all:vars]',
        "kubernetes_version='1.23'",
        "provision_roles=['motd']",
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    await fleet?.destroy();
  });

  it('applies it and verifies the host by its verify section', () => {
    const r = run([], 'apply');
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(verify(r.report)).to.deep.include({ status: 'ok', reason: '4 checks of the roles passed' });
    expect(fleet.ssh('worker01', 'cat /etc/provision-motd; systemctl is-active provision-motd').stdout).to.equal('hello from provision\nactive\n');
    expect(run([], 'again').report.summary.worker01.changed).to.equal(0);
  });

  it('a failing check of the role fails the host, naming what is wrong', () => {
    const r = run(['-e', 'motd_required_path=/etc/provision-missing'], 'failing');
    expect(r.code).to.equal(2);
    expect(verify(r.report)).to.deep.include({ status: 'failed', error: '/etc/provision-missing is missing: exit 1' });
  });

  it("restore puts the role's file back and runs the handler its task notifies", () => {
    const changed = run(['-e', JSON.stringify({ motd_text: 'changed by a later run' })], 'change');
    expect(changed.code, changed.stdout).to.equal(0);
    expect(fleet.ssh('worker01', 'cat /etc/provision-motd').stdout).to.equal('changed by a later run\n');
    const report = join(out, 'restore.json');
    const r = runCli(
      ['restore', '-i', inventory, '--known-hosts', fleet.knownHostsFile, '--limit', 'worker01', '--run', changed.report.runId, '--report', report],
      { env },
    );
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const tasks = JSON.parse(readFileSync(report, 'utf8')).tasks.map((t: { task: string; status: string }) => `${t.task}: ${t.status}`);
    expect(tasks).to.deep.equal([`restore files of run ${changed.report.runId}: changed`, 'restart provision-motd: changed']);
    expect(fleet.ssh('worker01', 'cat /etc/provision-motd').stdout).to.equal('hello from provision\n');
    // The handler restarted the unit: what it showed last is the restored message.
    const shown = fleet
      .ssh('worker01', 'journalctl -u provision-motd -o cat --no-pager')
      .stdout.split('\n')
      .filter((l) => /^(hello|changed)/.test(l));
    expect(shown.slice(-2)).to.deep.equal(['changed by a later run', 'hello from provision']);
  });
});
