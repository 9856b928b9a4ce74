import { expect } from 'chai';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shimsFact } from '../../../src/checks/containerd-runtimes.js';
import { podCheck } from '../../../src/checks/pod.js';
import type { ContainerConfig, PodCri, PodSandboxConfig } from '../../../src/checks/pod-cri.js';
import { criLogLines } from '../../../src/checks/pod-run.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/**
 * The pod check's logic against a STAND-IN CRI runtime (a recording client that acts as containerd
 * would: a sandbox per RunPodSandbox, the container's output written as CRI log lines to the
 * sandbox's log directory on this machine). The log is read back through a real LocalTransport.
 * The real containerd runs it in the fleet test (test/e2e/pod-check.test.ts).
 */
class FakeCri implements PodCri {
  sandboxes = new Map<string, PodSandboxConfig & { handler: string }>();
  containers = new Map<string, { sandbox: string; config: ContainerConfig; started: boolean }>();
  calls: string[] = [];
  parents: (string | undefined)[] = [];
  closed = false;
  conditions = [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ];
  /**
   * What a handler's runtime does: print this and exit with the code, or fail RunPodSandbox with the text (keeping
   * the sandbox, NOTREADY, with `sandboxKept`, as containerd does when the CNI DEL of its clean-up fails too; then
   * StopPodSandbox fails with `stopError` where given); noLog: write no log file.
   */
  behaviour: Record<
    string,
    { out?: string; exit?: number; sandboxError?: string; sandboxKept?: boolean; stopError?: string; removeError?: string; noLog?: boolean }
  > = {};
  private next = 0;
  async status() {
    this.calls.push('Status');
    return { conditions: this.conditions };
  }
  async runPodSandbox(config: PodSandboxConfig, handler: string) {
    this.calls.push(`RunPodSandbox ${handler} ${config.linux?.securityContext?.namespaceOptions?.network}`);
    this.parents.push(config.linux?.cgroupParent);
    const e = this.behaviour[handler]?.sandboxError;
    const id = `sandbox${this.next++}`.padEnd(64, '0');
    if (!e || this.behaviour[handler]?.sandboxKept) this.sandboxes.set(id, { ...config, handler });
    if (e) throw new Error(`2 UNKNOWN: ${e}`);
    return id;
  }
  async stopPodSandbox(id: string) {
    this.calls.push('StopPodSandbox');
    if (!this.sandboxes.has(id)) throw new Error('not found');
    const e = this.behaviour[this.sandboxes.get(id)!.handler]?.stopError;
    if (e) throw new Error(e);
  }
  async listPodSandbox(labels: Record<string, string>) {
    this.calls.push('ListPodSandbox');
    return [...this.sandboxes]
      .filter(([, c]) => Object.entries(labels).every(([k, v]) => c.labels?.[k] === v))
      .map(([id, c]) => ({ id, metadata: c.metadata, state: 'SANDBOX_NOTREADY' }));
  }
  async removePodSandbox(id: string) {
    this.calls.push('RemovePodSandbox');
    const e = this.behaviour[this.sandboxes.get(id)?.handler ?? '']?.removeError;
    if (e) throw new Error(e);
    this.sandboxes.delete(id);
  }
  async createContainer(sandbox: string, config: ContainerConfig) {
    this.calls.push('CreateContainer');
    const id = `container${this.next++}`.padEnd(64, '0');
    this.containers.set(id, { sandbox, config, started: false });
    return id;
  }
  async startContainer(id: string) {
    this.calls.push('StartContainer');
    const c = this.containers.get(id)!;
    c.started = true;
    const s = this.sandboxes.get(c.sandbox)!;
    const out = this.behaviour[s.handler]?.out ?? 'pause.c v3.9';
    if (this.behaviour[s.handler]?.noLog) return;
    // As containerd: the log file's directory is made when the container starts (openLogFile's MkdirAll).
    mkdirSync(s.logDirectory!, { recursive: true, mode: 0o755 });
    writeFileSync(join(s.logDirectory!, c.config.logPath!), `2026-12-02T01:00:00.000000000Z stdout F ${out}\n`);
  }
  async containerStatus(id: string) {
    const c = this.containers.get(id)!;
    const exit = this.behaviour[this.sandboxes.get(c.sandbox)!.handler]?.exit ?? 0;
    return { state: c.started ? 'CONTAINER_EXITED' : 'CONTAINER_CREATED', exitCode: exit, reason: exit ? 'Error' : 'Completed', message: '', logPath: '' };
  }
  async removeContainer(id: string) {
    this.calls.push('RemoveContainer');
    this.containers.delete(id);
  }
  async imageStatus() {
    return undefined;
  }
  async version() {
    return { runtimeName: 'stand-in', runtimeVersion: '0', runtimeApiVersion: 'v1' };
  }
  close() {
    this.closed = true;
  }
}

const logRoot = mkdtempSync(join(tmpdir(), 'provision-pod-check-'));
const args = (over: Record<string, unknown> = {}) => ({
  socket: '/run/containerd/containerd.sock',
  bin_dir: '/usr/local/bin',
  runtimes: ['runc', { name: 'crun', runtime_type: 'io.containerd.runc.v2', options: { BinaryName: '/usr/bin/crun' } }],
  default_runtime: 'runc',
  systemd_cgroup: true,
  runc_binary: '/usr/local/sbin/runc',
  runsc_config: '/etc/containerd/runsc.toml',
  image: 'k8s.gcr.io/pause:3.6',
  command: ['/pause', '-v'],
  log_line: 'pause.c',
  pod_network: false,
  log_root: logRoot,
  timeout_s: 5,
  run: 'first',
  ...over,
});
const facts = (a: Record<string, unknown>, shims = 'containerd-shim-runc-v2\n/usr/local/sbin/runc\n/usr/bin/crun\n') =>
  new Map<string, unknown>([[shimsFact(a).key, { code: 0, out: shims }]]);

async function act(cri: FakeCri, a = args(), opts: { shims?: string; changed?: boolean } = {}) {
  const transport = new LocalTransport();
  const r = await podCheck.act(a, facts(a, opts.shims), { transport, cri: async () => cri, changed: opts.changed ?? true });
  await transport.close();
  return { ...r, commands: transport.runs };
}

/** Nothing the check made is left: no sandbox, no container, no log directory; the client closed. */
const nothingLeft = (cri: FakeCri) => {
  expect([...cri.sandboxes.keys()], 'sandboxes left').to.deep.equal([]);
  expect([...cri.containers.keys()], 'containers left').to.deep.equal([]);
  expect(readdirSync(logRoot), 'log directories left').to.deep.equal([]);
  expect(cri.closed).to.equal(true);
};

describe('the pod check (a stand-in CRI runtime; the real one in the fleet test)', () => {
  it('runs a pod on each handler whose binary is on the node, reads its log line back, and removes everything', async () => {
    const cri = new FakeCri();
    cri.behaviour.crun = { out: 'pause.c v3.6' };
    const r = await act(cri);
    expect(r.failures).to.deep.equal([]);
    expect(r.results).to.have.length(2);
    expect(r.results[0]).to.match(/^pod on runc \(host network\): ok, \/pause -v exited 0, log line "pause.c v3.9" read back/);
    expect(r.results[1]).to.match(/^pod on crun \(host network\): ok, .*"pause.c v3.6"/);
    // Both logs read back and both directories removed by one command on the node.
    expect(r.commands).to.equal(1);
    expect(cri.calls.slice(0, 2)).to.deep.equal(['Status', 'RunPodSandbox runc NODE']);
    // SystemdCgroup: a slice, as kubelet with the systemd driver gives it (a cgroupfs path fails every pod there).
    expect(cri.parents).to.deep.equal(['provision_pod_check.slice', 'provision_pod_check.slice']);
    nothingLeft(cri);
    const cgroupfs = new FakeCri();
    await act(cgroupfs, args({ systemd_cgroup: false }));
    expect(cgroupfs.parents).to.deep.equal(['/provision_pod_check', '/provision_pod_check']);
  });

  it('also runs the default handler on the pod network when asked', async () => {
    const cri = new FakeCri();
    const r = await act(cri, args({ pod_network: true }));
    expect(r.failures).to.deep.equal([]);
    expect(r.results.map((l) => l.split(':')[0])).to.deep.equal(['pod on runc (host network)', 'pod on crun (host network)', 'pod on runc (pod network)']);
    expect(cri.calls).to.include('RunPodSandbox runc POD');
    nothingLeft(cri);
  });

  it('names the CRI error text of a handler that fails, and still removes what the others made', async () => {
    const cri = new FakeCri();
    cri.behaviour.crun = { sandboxError: 'failed to create shim task: OCI runtime create failed: exit status 1' };
    const r = await act(cri);
    expect(r.failures).to.deep.equal([
      'pod on crun (host network): RunPodSandbox failed: 2 UNKNOWN: failed to create shim task: OCI runtime create failed: exit status 1',
    ]);
    expect(r.results[0]).to.match(/^pod on runc \(host network\): ok/);
    nothingLeft(cri);
  });

  it('removes the sandbox a failed RunPodSandbox left (containerd keeps one whose network it could not tear down), or names it', async () => {
    const cri = new FakeCri();
    cri.behaviour.runc = { sandboxError: 'failed to setup network for sandbox: plugin type="bridge" failed (add)', sandboxKept: true };
    const r = await act(cri, args({ pod_network: true }));
    expect(r.failures).to.have.length(2);
    expect(r.failures[0]).to.match(/^pod on runc \(host network\): RunPodSandbox failed: 2 UNKNOWN: failed to setup network/);
    // Each failed pod looked for its sandbox (the ok one did not need to); all three sandboxes were stopped and removed.
    expect(cri.calls.filter((c) => c === 'ListPodSandbox')).to.have.length(2);
    expect(cri.calls.filter((c) => c === 'RemovePodSandbox')).to.have.length(3);
    nothingLeft(cri);
    const stuck = new FakeCri();
    stuck.behaviour.runc = { ...cri.behaviour.runc, stopError: 'failed to destroy network for sandbox: plugin type="bridge" failed (delete)' };
    const s = await act(stuck, args({ pod_network: true }));
    expect(s.failures[1]).to.match(
      /^pod on runc \(pod network\): RunPodSandbox failed: .*; left behind: sandbox sandbox\d+ \(failed to destroy network for sandbox: .*\)$/,
    );
    // The other handler's pod is not taken for the failed one's: crun's ran and was removed.
    expect([...stuck.sandboxes.values()].map((c) => c.handler)).to.deep.equal(['runc', 'runc']);
  });

  it('fails a container that exits non-zero, or whose line is not in its log', async () => {
    const cri = new FakeCri();
    cri.behaviour.runc = { exit: 1 };
    cri.behaviour.crun = { out: 'something else' };
    const r = await act(cri);
    expect(r.failures).to.deep.equal([
      'pod on runc (host network): the container exited 1 (Error)',
      `pod on crun (host network): the container exited 0 but "pause.c" is not in its CRI log ${logRoot}/provision-pod-check_crun-host_${r.failures[1]!.split('_').pop()!.split('/')[0]}/check.log`,
    ]);
    nothingLeft(cri);
  });

  it('fails a pod whose log cannot be read back, and every pod when the command that reads them fails', async () => {
    const cri = new FakeCri();
    cri.behaviour.crun = { noLog: true };
    const r = await act(cri);
    expect(r.failures).to.have.length(1);
    expect(r.failures[0]).to.match(/^pod on crun \(host network\): reading the log failed: cannot read .*\/check\.log: .*No such file/);
    nothingLeft(cri);
    const transport = new LocalTransport();
    const broken = Object.assign(Object.create(transport), { run: () => Promise.reject(new Error('the connection dropped')) });
    const a = args();
    const cut = await podCheck.act(a, facts(a), { transport: broken, cri: async () => new FakeCri(), changed: true });
    await transport.close();
    expect(cut.failures).to.deep.equal([
      "cannot read the pods' logs back or remove their log directories: the connection dropped",
      'pod on runc (host network): exited 0, but its log could not be read back',
      'pod on crun (host network): exited 0, but its log could not be read back',
    ]);
    rmSync(logRoot, { recursive: true, force: true });
    mkdirSync(logRoot);
  });

  it('does not start a pod while Status says the runtime or network is not ready, asking again until its time limit', async () => {
    const cri = new FakeCri();
    cri.conditions[1] = { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni plugin not initialized' };
    const r = await act(cri, args({ timeout_s: 1 }));
    expect(r.failures).to.deep.equal(['CRI Status: NetworkReady is false (NetworkPluginNotReady: cni plugin not initialized)']);
    expect(cri.calls.length).to.be.within(3, 8);
    expect(new Set(cri.calls)).to.deep.equal(new Set(['Status']));
    nothingLeft(cri);
  });

  it('waits while containerd, just restarted, answers "server is not initialized yet", then runs the pods', async () => {
    const cri = new FakeCri();
    const status = cri.status.bind(cri);
    let asked = 0;
    cri.status = async () => {
      if (++asked <= 2) throw new Error('2 UNKNOWN: server is not initialized yet');
      if (asked === 3) return { conditions: [cri.conditions[0]!] };
      return status();
    };
    const r = await act(cri);
    expect(r.failures).to.deep.equal([]);
    expect(asked).to.equal(4);
    expect(r.results.filter((l) => l.startsWith('pod on'))).to.have.length(2);
    nothingLeft(cri);
  });

  it('names the last Status error when containerd never becomes ready', async () => {
    const cri = new FakeCri();
    cri.status = async () => {
      throw new Error('CRI Status on n1: server is not initialized yet');
    };
    const r = await act(cri, args({ timeout_s: 0 }));
    expect(r.failures).to.deep.equal(['CRI Status: CRI Status on n1: server is not initialized yet']);
    nothingLeft(cri);
  });

  it('names what it could not remove', async () => {
    const cri = new FakeCri();
    cri.behaviour.crun = { removeError: 'sandbox is in use' };
    const r = await act(cri);
    expect(r.failures).to.have.length(1);
    expect(r.failures[0]).to.match(/^pod on crun \(host network\): ok, .*; left behind: sandbox sandbox\d+ \(sandbox is in use\)$/);
    cri.sandboxes.clear();
    nothingLeft(cri);
  });

  it('skips a handler whose binary is not on the node, and fails when none can run', async () => {
    const cri = new FakeCri();
    const r = await act(cri, args(), { shims: 'containerd-shim-runc-v2\n/usr/local/sbin/runc\n' });
    expect(r.failures).to.deep.equal([]);
    expect(r.results[0]).to.equal('no pod on crun (/usr/bin/crun not on the node)');
    expect(r.results).to.have.length(2);
    const none = await act(new FakeCri(), args(), { shims: '' });
    expect(none.failures).to.deep.equal(['no runtime handler can run a pod: none has its shim on the node']);
  });

  it('a CRI socket it cannot reach is a failure naming the socket', async () => {
    const transport = new LocalTransport();
    const a = args();
    const r = await podCheck.act(a, facts(a), {
      transport,
      cri: async () => {
        throw new Error('connect ENOENT /run/containerd/containerd.sock');
      },
      changed: true,
    });
    await transport.close();
    expect(r.failures).to.deep.equal(['CRI on /run/containerd/containerd.sock: connect ENOENT /run/containerd/containerd.sock']);
  });

  it('first: not run on a run that changed nothing; never: not run; always: run', async () => {
    const cri = new FakeCri();
    expect((await act(cri, args(), { changed: false })).results).to.deep.equal(['pod check not run (this run changed nothing on the host)']);
    expect((await act(cri, args({ run: 'never' }))).results).to.deep.equal(['pod check not run (never)']);
    expect(cri.calls).to.deep.equal([]);
    expect((await act(cri, args({ run: 'always' }), { changed: false })).failures).to.deep.equal([]);
    expect(cri.calls).to.include('StartContainer');
  });

  it('a CRI log line of any message reads back as that message (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('stdout', 'stderr'),
            fc.constantFrom('F', 'P'),
            fc.string().filter((s) => !/[\r\n]/.test(s)),
          ),
        ),
        (lines) => {
          const log = lines.map(([s, t, m]) => `2026-12-02T01:00:00.5Z ${s} ${t} ${m}\n`).join('');
          expect(criLogLines(log)).to.deep.equal(lines.map(([, , m]) => m));
        },
      ),
    );
    expect(criLogLines('garbage\n{"log":"docker json"}\n')).to.deep.equal([]);
  });

  after(() => rmSync(logRoot, { recursive: true, force: true }));
});
