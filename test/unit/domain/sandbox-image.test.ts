import { declaredBy } from '../../helpers/roles.js';
import { expect } from 'chai';
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { k8sImagesFact, pullEndpoints, pullFact, sandboxImagePreflight, unlessSetByInventory } from '../../../src/domain/sandbox-image-preflight.js';
import { imageParts, newestPause, normalizeImage, SANDBOX_IMAGE_DEFAULTS } from '../../../src/domain/sandbox-images.js';
import type { DockerSettingsFacts } from '../../../src/facts/docker-daemon-files.js';
import type { Fact } from '../../../src/facts/fact.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

const vars = (over: Record<string, unknown> = {}) => ({
  containerd_sandbox_image: 'registry.k8s.io/pause:3.9',
  containerd_socket: '/run/containerd/containerd.sock',
  containerd_bin_dir: '/usr/local/bin',
  containerd_registry_hosts: {},
  docker_migrate_image_list: ['registry.example/team/app:1.0'],
  docker_migrate_images: true,
  ...over,
});
const docker = (tags: string[], active = true, archived: string[] = []): DockerSettingsFacts => ({
  source: '/etc/docker',
  daemonJson: '',
  certs: [],
  dockerActive: active,
  images: tags.map((t, i) => ({ id: `sha256:${i}`, bytes: 700_000, tags: [t] })),
  containerImages: [],
  archived,
});

/** The rule on given facts; the pull probe answered with `codes` (and counted: it is a round trip). */
async function rule(
  v: Record<string, unknown>,
  k8s: string[],
  d: DockerSettingsFacts,
  codes: string[] = ['000'],
  roles = ['remove-docker', 'install-containerd'],
) {
  const fact = k8sImagesFact(v)!;
  let gathers = 0;
  const out = await sandboxImagePreflight(
    v,
    new Map([[fact.key, k8s]]),
    d,
    async (facts: Fact<unknown>[]) => {
      gathers++;
      const f = facts[0] as Fact<{ url: string; code: string }[]>;
      const urls = pullEndpoints(String(v.containerd_sandbox_image), (v.containerd_registry_hosts ?? {}) as Record<string, unknown>);
      return new Map([[f.key, urls.map((u, i) => ({ url: u.url, code: codes[i] ?? '000' }))]]);
    },
    declaredBy(roles),
  );
  return { ...out, gathers };
}

describe('the sandbox image, before anything is touched', () => {
  it('the configured image in k8s.io: nothing to do, no pull tried', async () => {
    const r = await rule(vars(), ['registry.k8s.io/pause:3.9', 'sha256:abc'], docker([]));
    expect(r).to.deep.equal({ vars: {}, problems: [], notes: [], gathers: 0 });
  });

  it('pullable through a mirror of the registry hosts: nothing to do', async () => {
    const v = vars({ containerd_registry_hosts: { 'registry.k8s.io': ['http://127.0.0.1:5000'] } });
    const r = await rule(v, [], docker(['k8s.gcr.io/pause:3.6']), ['200', '000']);
    expect(r.vars).to.deep.equal({});
    expect(r.problems).to.deep.equal([]);
  });

  it('not pullable, Docker holds pause images: the newest is handed over and containerd pointed at it', async () => {
    const r = await rule(vars(), [], docker(['k8s.gcr.io/pause:3.6', 'k8s.gcr.io/pause:3.10', 'registry.example/team/app:1.0']), ['000']);
    expect(r.vars).to.deep.equal({
      containerd_sandbox_image: 'k8s.gcr.io/pause:3.10',
      docker_migrate_image_list: ['k8s.gcr.io/pause:3.10', 'registry.example/team/app:1.0'],
    });
    expect(r.notes[0]).to.match(/^sandbox image: registry.k8s.io\/pause:3.9 is not on the node; containerd is pointed at k8s.gcr.io\/pause:3.10 \(from Docker/);
    expect(r.problems).to.deep.equal([]);
  });

  it('a second run (Docker gone, the pause image in k8s.io) points at the same image without a round trip', async () => {
    const r = await rule(vars({ docker_migrate_image_list: [] }), ['k8s.gcr.io/pause:3.10', 'registry.example/team/app:1.0'], docker([], false));
    expect(r.vars).to.deep.equal({ containerd_sandbox_image: 'k8s.gcr.io/pause:3.10' });
    expect(r.gathers).to.equal(0);
  });

  it("an image the inventory (or -e) sets wins over the node's: the pointing does not take, so the host is refused, naming both", async () => {
    const r = await rule(vars(), [], docker(['k8s.gcr.io/pause:3.6']), ['000']);
    // The replan kept the inventory's value: the outcome becomes a refusal.
    const kept = unlessSetByInventory(r, vars({ containerd_sandbox_image: 'registry.k8s.io/pause:3.9' }));
    expect(kept.vars).to.deep.equal({});
    expect(kept.notes).to.deep.equal([]);
    expect(kept.problems[0]).to.match(/containerd_sandbox_image is set to registry.k8s.io\/pause:3.9, .* while k8s.gcr.io\/pause:3.6 is on the node/);
    // The replan took the node's image: the outcome stands.
    expect(unlessSetByInventory(r, vars({ containerd_sandbox_image: 'k8s.gcr.io/pause:3.6' }))).to.equal(r);
  });

  it('a run cut short after Docker stopped: the pause image its archive holds is handed over still', async () => {
    const r = await rule(vars({ docker_migrate_image_list: ['k8s.gcr.io/pause:3.6'] }), [], docker([], false, ['k8s.gcr.io/pause:3.6']), ['000']);
    expect(r.vars.containerd_sandbox_image).to.equal('k8s.gcr.io/pause:3.6');
    expect(r.problems).to.deep.equal([]);
  });

  it('no sandbox image anywhere: refused, naming the image, what was tried and the variable to set', async () => {
    const r = await rule(vars(), [], docker(['registry.example/team/app:1.0']), ['000']);
    expect(r.vars).to.deep.equal({});
    expect(r.problems).to.have.length(1);
    expect(r.problems[0]).to.include('the sandbox image registry.k8s.io/pause:3.9 is not in containerd');
    expect(r.problems[0]).to.include('tried https://registry.k8s.io/v2/pause/manifests/3.9 (unreachable)');
    expect(r.problems[0]).to.include('Docker holds no pause image');
    expect(r.problems[0]).to.include('Set containerd_sandbox_image');
  });

  it('a pause image in Docker but no handover: refused, saying so', async () => {
    const r = await rule(vars({ docker_migrate_image_list: undefined }), [], docker(['k8s.gcr.io/pause:3.6']), ['404']);
    expect(r.problems[0]).to.include('(HTTP 404)');
    expect(r.problems[0]).to.include('Docker holds k8s.gcr.io/pause:3.6, but no images are handed over (docker_migrate_images)');
  });

  it('Docker staying (remove-docker not in the plan): its pods keep running on it, nothing checked or handed over', async () => {
    const r = await rule(vars(), [], docker(['k8s.gcr.io/pause:3.6']), ['000'], ['install-containerd']);
    expect(r).to.deep.equal({ vars: {}, problems: [], notes: [], gathers: 0 });
  });

  it('hosts without the sandbox image variable (no containerd role) are not checked', async () => {
    expect(k8sImagesFact({})).to.equal(undefined);
  });

  it('endpoints: each pull mirror, then the registry; Docker Hub names as containerd resolves them', () => {
    expect(
      pullEndpoints('pause:3.1', {
        'docker.io': [
          { url: 'https://m.example/v2', skip_verify: true },
          { url: 'https://push.example', capabilities: ['push'] },
        ],
      }),
    ).to.deep.equal([
      { url: 'https://m.example/v2/library/pause/manifests/3.1?ns=docker.io', insecure: true },
      { url: 'https://registry-1.docker.io/v2/library/pause/manifests/3.1', insecure: false },
    ]);
    expect(imageParts('localhost:5000/a/b@sha256:00')).to.deep.equal({ registry: 'localhost:5000', repo: 'a/b', reference: 'sha256:00' });
    expect(newestPause(['registry.example/pause:9', 'k8s.gcr.io/pause:3.2', 'registry.k8s.io/pause:3.9'])).to.equal('registry.k8s.io/pause:3.9');
  });

  it('normalizing is idempotent and keeps what containerd keeps (property)', () => {
    const part = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.option(fc.constantFrom('registry.k8s.io', 'localhost:5000', 'docker.io')),
        fc.array(part, { minLength: 1, maxLength: 3 }),
        part,
        (reg, path, tag) => {
          const ref = `${reg ? `${reg}/` : ''}${path.join('/')}:${tag}`;
          const n = normalizeImage(ref);
          expect(normalizeImage(n)).to.equal(n);
          const p = imageParts(ref);
          expect(p.reference).to.equal(tag);
          expect(`${p.registry}/${p.repo}:${p.reference}`).to.equal(n);
        },
      ),
    );
  });

  it('every table row has a source', () => {
    for (const row of SANDBOX_IMAGE_DEFAULTS) expect(row.source, row.image).to.match(/\S{10}/);
  });

  describe('the pull probe, run for real (curl against a registry stand-in on loopback)', () => {
    let server: Server;
    let port = 0;
    const seen: string[] = [];
    before(async () => {
      server = createServer((req, res) => {
        seen.push(`${req.method} ${req.url} ${req.headers.accept?.includes('manifest') ? 'manifest-accept' : ''}`);
        res.statusCode = req.url?.startsWith('/v2/pause/manifests/3.9') ? 200 : 404;
        res.end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => server.close());

    it('answers the HTTP code per endpoint, unreachable as 000', async () => {
      const endpoints = [
        { url: 'http://127.0.0.1:1/v2/pause/manifests/3.9', insecure: false },
        { url: `http://127.0.0.1:${port}/v2/pause/manifests/3.9?ns=registry.k8s.io`, insecure: false },
        { url: `http://127.0.0.1:${port}/v2/pause/manifests/3.8`, insecure: true },
      ];
      const f = pullFact('registry.k8s.io/pause:3.9', endpoints);
      const t = new LocalTransport();
      const r = await t.run(f.probe);
      await t.close();
      expect(f.parse(r.stdout, r.code)).to.deep.equal([
        { url: endpoints[0]!.url, code: '000' },
        { url: endpoints[1]!.url, code: '200' },
        { url: endpoints[2]!.url, code: '404' },
      ]);
      expect(seen).to.include('HEAD /v2/pause/manifests/3.9?ns=registry.k8s.io manifest-accept');
    });
  });
});
