import { declaredBy } from '../../helpers/roles.js';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { dockerCarry } from '../../../src/domain/docker-carry.js';
import { parseDockerSettings } from '../../../src/facts/docker-daemon-files.js';
import { CARRY_ROLES, CARRY_VARS } from '../../helpers/carry-vars.js';
import { renderHost, requireTool } from '../../helpers/roles.js';

/** What the roles write from carried Docker settings (as the preflight detects them), through the TOML and YAML encoders. */
describe("files written from Docker's carried settings", () => {
  const daemon = {
    'registry-mirrors': ['https://mirror.example:5000'],
    'insecure-registries': ['reg.example:5000'],
    'log-opts': { 'max-size': '20m', 'max-file': '5' },
  };
  const facts = parseDockerSettings(
    [
      'source /etc/docker',
      `daemon ${Buffer.from(JSON.stringify(daemon)).toString('base64')}`,
      'cert 644 reg.example:5000 ca.crt',
      'cert 644 reg.example:5000 client.cert',
      'cert 600 reg.example:5000 client.key',
    ].join('\n'),
  );
  const detected = (vars: Record<string, unknown> = {}) => dockerCarry(facts, { ...CARRY_VARS, ...vars }, declaredBy(CARRY_ROLES)).vars;

  it('hosts.toml per registry: docker.io mirrors; the insecure registry with skip_verify, its CA and client pair, then plain HTTP', () => {
    const files = renderHost({ ...detected() }, ['containerd']);
    expect(parseToml(files.get('/etc/containerd/certs.d/docker.io/hosts.toml')!.content)).to.deep.equal({
      server: 'https://registry-1.docker.io',
      host: { 'https://mirror.example:5000': { capabilities: ['pull', 'resolve'] } },
    });
    const dir = '/etc/containerd/certs.d/reg.example:5000';
    expect(parseToml(files.get(`${dir}/hosts.toml`)!.content)).to.deep.equal({
      server: 'https://reg.example:5000',
      host: {
        'https://reg.example:5000': {
          capabilities: ['pull', 'resolve', 'push'],
          skip_verify: true,
          ca: [`${dir}/ca.crt`],
          client: [[`${dir}/client.cert`, `${dir}/client.key`]],
        },
        'http://reg.example:5000': { capabilities: ['pull', 'resolve', 'push'] },
      },
    });
  });

  it('the certificates are copied (key private) and the carried state kept, by remove-docker', () => {
    const files = renderHost({ ...detected() }, ['docker']);
    expect(JSON.parse(files.get('/var/lib/provision/docker-settings.json')!.content)).to.deep.equal(detected().docker_settings_state);
  });

  it("kubelet gets Docker's log rotation unless kubelet_config sets it", () => {
    const config = (vars: Record<string, unknown>) =>
      parseYaml(renderHost({ kubernetes_version: '1.27', ...vars }, ['kubelet']).get('/var/lib/kubelet/kubelet-config.yaml')!.content);
    expect(config(detected())).to.include({ containerLogMaxSize: '20Mi', containerLogMaxFiles: 5 });
    const mine = { kubelet_config: { containerLogMaxSize: '100Mi' } };
    expect(config({ ...detected(mine), ...mine })).to.include({ containerLogMaxSize: '100Mi', containerLogMaxFiles: 5 });
  });

  it('containerd_root and containerd_state reach config.toml, accepted by `containerd config dump`', function () {
    requireTool(this, 'containerd', 'containerd');
    const text = renderHost({ containerd_root: '/data/containerd', containerd_state: '/run/containerd-x' }, ['containerd']).get(
      '/etc/containerd/config.toml',
    )!.content;
    const file = join(mkdtempSync(join(tmpdir(), 'provision-root-')), 'config.toml');
    writeFileSync(file, text);
    const r = spawnSync('containerd', ['--config', file, 'config', 'dump'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(parseToml(r.stdout)).to.include({ root: '/data/containerd', state: '/run/containerd-x' });
  });
});
