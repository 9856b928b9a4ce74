import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CriClient, CriError, criOverTransport, type PodSandboxConfig } from '../../src/cri/cri-client.js';
import { LocalTransport } from '../../src/transport/local-transport.js';
import { SshTransport } from '../../src/transport/ssh-transport.js';
import { requireTool } from '../helpers/roles.js';
import { TestSshd } from '../helpers/sshd.js';
import { TestContainerd } from '../helpers/test-containerd.js';
import { TestRegistry } from '../helpers/test-registry.js';
import { echoImage, pauseImage, pushTinyImage } from '../helpers/tiny-images.js';

/**
 * crun refuses a hybrid cgroup host whose v2 hierarchy holds a controller ("cgroups in hybrid mode
 * not supported, drop all controllers from cgroupv2"): this machine is one (hugetlb on v2). The
 * fleet's nodes, in their own cgroup namespace, run crun (test/e2e/fleet-containers.test.ts).
 */
function crunCannotRunHere(): string | undefined {
  const unified = '/sys/fs/cgroup/unified/cgroup.controllers';
  if (!existsSync(unified)) return undefined;
  const controllers = readFileSync(unified, 'utf8').trim();
  return controllers ? `crun refuses this hybrid cgroup host (v2 holds ${controllers}); the fleet runs crun` : undefined;
}

/**
 * The CRI client against Debian's real containerd (its CRI plugin) on a temporary root and socket,
 * images pulled from Debian's real docker-registry on loopback, pods run by the real runc and crun.
 */
describe('CRI client against a real containerd', function () {
  this.timeout(180_000);
  const registry = new TestRegistry();
  let containerd: TestContainerd;
  let pause: string;
  let app: string;
  let cri: CriClient;

  before(async function () {
    if (process.getuid?.() !== 0) {
      if (process.env.CI) throw new Error('the CRI client test must run under CI (as root)');
      console.warn('      SKIPPED: containerd needs root');
      this.skip();
    }
    for (const [tool, pkg] of [
      ['containerd', 'containerd'],
      ['runc', 'runc'],
      ['crun', 'crun'],
      ['docker-registry', 'docker-registry'],
      ['busybox', 'busybox-static'],
    ] as const)
      requireTool(this, tool, pkg);
    await registry.start();
    pause = `${registry.hostPort}/test/pause:1.0`;
    app = `${registry.hostPort}/test/echo:1.0`;
    await pushTinyImage(registry.hostPort, 'test/pause', '1.0', pauseImage(pause));
    await pushTinyImage(registry.hostPort, 'test/echo', '1.0', echoImage(app, 'hello from a CRI pod'));
    containerd = new TestContainerd({ sandboxImage: pause, handlers: { runc: '/usr/sbin/runc', crun: '/usr/bin/crun' } });
    containerd.addPlainHttpRegistry(registry.hostPort);
    await containerd.start();
    cri = await criOverTransport(new LocalTransport(), containerd.socket);
  });

  after(async () => {
    cri?.close();
    await containerd?.stop();
    await registry.stop();
  });

  it('answers Version and Status as it answers kubelet', async () => {
    const v = await cri.version();
    expect(v.runtimeName).to.equal('containerd');
    expect(v.runtimeApiVersion).to.equal('v1');
    expect(v.runtimeVersion).to.match(/^v?\d+\.\d+/);
    const { conditions } = await cri.status();
    const byType = Object.fromEntries(conditions.map((c) => [c.type, c]));
    expect(byType.RuntimeReady?.status).to.equal(true);
    // No CNI config in its conf_dir: the network is not ready, with containerd's own reason.
    expect(byType.NetworkReady?.status).to.equal(false);
    expect(byType.NetworkReady?.message).to.include('cni');
  });

  it('pulls from the registry on loopback; ImageStatus and ListImages see it, and an absent image is undefined', async () => {
    expect(await cri.imageStatus(app)).to.equal(undefined);
    const ref = await cri.pullImage(app);
    expect(ref).to.match(/^sha256:[0-9a-f]{64}$/);
    const status = await cri.imageStatus(app);
    expect(status?.id).to.equal(ref);
    expect(status?.repoTags).to.include(app);
    expect(status?.size).to.be.greaterThan(100_000);
    expect((await cri.listImages()).map((i) => i.id)).to.include(ref);
    // The runtime's own text travels in the error.
    const missing = await cri.pullImage(`${registry.hostPort}/test/absent:1.0`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(missing).to.be.instanceOf(CriError);
    expect((missing as CriError).message).to.match(/CRI PullImage on localhost: .*not found/);
  });

  for (const handler of ['runc', 'crun']) {
    it(`runs a pod with handler ${handler}: the container exits 0, its log line is in the CRI log, nothing is left`, async function () {
      const why = handler === 'crun' ? crunCannotRunHere() : undefined;
      if (why) {
        console.warn(`      SKIPPED: ${why}`);
        this.skip();
      }
      await cri.pullImage(pause);
      await cri.pullImage(app);
      const logDirectory = join(containerd.dir, 'pods', handler);
      const sandbox: PodSandboxConfig = {
        metadata: { name: `cri-test-${handler}`, uid: randomUUID(), namespace: 'provision-test' },
        logDirectory,
        labels: { 'provision.io/cri-test': handler },
        linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
      };
      const podId = await cri.runPodSandbox(sandbox, handler);
      try {
        // ListPodSandbox by label finds it (the pod check finds a failed RunPodSandbox's sandbox so), and only it.
        const listed = await cri.listPodSandbox({ 'provision.io/cri-test': handler });
        expect(listed.map((p) => [p.id, p.metadata?.uid, p.state])).to.deep.equal([[podId, sandbox.metadata.uid, 'SANDBOX_READY']]);
        const id = await cri.createContainer(
          podId,
          { metadata: { name: 'echo' }, image: { image: app }, logPath: 'echo/0.log', linux: { securityContext: { namespaceOptions: { network: 'NODE' } } } },
          sandbox,
        );
        await cri.startContainer(id);
        let status = await cri.containerStatus(id);
        for (let i = 0; i < 100 && status.state !== 'CONTAINER_EXITED'; i++) {
          await new Promise((r) => setTimeout(r, 100));
          status = await cri.containerStatus(id);
        }
        expect(status.state).to.equal('CONTAINER_EXITED');
        expect(status.exitCode).to.equal(0);
        expect(status.logPath).to.equal(join(logDirectory, 'echo/0.log'));
        // The CRI log format: time, stream, tag (F: full line), the line.
        expect(readFileSync(status.logPath, 'utf8')).to.match(/^\S+ stdout F hello from a CRI pod$/m);
        await cri.removeContainer(id);
      } finally {
        await cri.stopPodSandbox(podId);
        await cri.removePodSandbox(podId);
      }
      expect(containerd.ctr('containers', 'ls', '-q').trim()).to.equal('');
      expect(containerd.ctr('tasks', 'ls', '-q').trim()).to.equal('');
      expect(await cri.listPodSandbox({ 'provision.io/cri-test': handler })).to.deep.equal([]);
    });
  }

  it('fails a pod of an unknown handler with the runtime text', async () => {
    const e = await cri
      .runPodSandbox(
        { metadata: { name: 'nope', uid: randomUUID(), namespace: 'provision-test' }, linux: { securityContext: { namespaceOptions: { network: 'NODE' } } } },
        'nosuch',
      )
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(e).to.be.instanceOf(CriError);
    expect((e as CriError).message).to.include('nosuch');
  });

  it('reaches the socket through a real SSH connection (stream-local forwarding), on a private controller-side socket', async function () {
    requireTool(this, 'sshd', 'openssh-server');
    const sshd = new TestSshd();
    await sshd.start();
    const spec = {
      type: 'ssh' as const,
      address: '127.0.0.1',
      port: sshd.port,
      user: 'root',
      privateKeyFile: sshd.clientKey,
      become: false,
      becomeUser: 'root',
    };
    const t = await SshTransport.connect('node', spec, { knownHostsFile: sshd.knownHosts() });
    try {
      const overSsh = await criOverTransport(t, containerd.socket);
      try {
        expect((await overSsh.version()).runtimeName).to.equal('containerd');
        expect((await overSsh.imageStatus(app))?.repoTags).to.include(app);
      } finally {
        overSsh.close();
      }
      // A socket that is not there: the transport's reason, before any gRPC call.
      const e = await criOverTransport(t, join(containerd.dir, 'absent.sock')).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e?.message).to.match(/cannot open the socket .*absent\.sock on node over SSH/);
    } finally {
      await t.close();
      sshd.stop();
    }
    expect(existsSync(containerd.socket)).to.equal(true);
  });

  it('refuses a non-root login with become, saying that become does not reach a forwarded socket', async function () {
    requireTool(this, 'sshd', 'openssh-server');
    const sshd = new TestSshd();
    await sshd.start();
    // sshd reads authorized_keys as the login user (nobody): let it.
    chmodSync(sshd.dir, 0o711);
    chmodSync(join(sshd.dir, 'authorized_keys'), 0o644);
    const spec = {
      type: 'ssh' as const,
      address: '127.0.0.1',
      port: sshd.port,
      user: 'nobody',
      privateKeyFile: sshd.clientKey,
      become: true,
      becomeUser: 'root',
    };
    const t = await SshTransport.connect('node', spec, { knownHostsFile: sshd.knownHosts() });
    try {
      const e = await criOverTransport(t, containerd.socket).then(
        () => undefined,
        (err: unknown) => err as Error,
      );
      expect(e?.message).to.match(/cannot open the socket .*containerd\.sock on node over SSH: .*ansible_become does not apply to a forwarded socket/);
    } finally {
      await t.close();
      sshd.stop();
    }
  });
});
