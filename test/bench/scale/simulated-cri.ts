import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { criPackage } from '../../../src/cri/cri-proto.js';
import { packageRoot } from '../../../src/core/paths.js';

/**
 * SIMULATED CRI, not containerd: a gRPC server (@grpc/grpc-js, the project's own cri-api.proto)
 * answering the runtime.v1 calls the pod check makes as containerd does (sandboxes and containers by
 * 64-hex ids, NOT_FOUND for an unknown one, a started container exited 0, removal of a sandbox taking
 * its containers), each after the simulated round trip. A simulated node's `openUnixSocket` is a
 * connection to it, so the controller's own work of the pod check (its bridge, gRPC, HTTP/2, the
 * messages) is done and counted as on a real fleet; the server runs in a child process of its own, so
 * the runtime's side is not (as containerd's CPU is the node's). What the container printed is in the
 * recorded answer to the log read (a script over the transport). One server serves every simulated
 * host of the bench's process while any host uses it.
 */
export class SimulatedCri {
  private static current?: Promise<SimulatedCri>;
  private users = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly path: string,
  ) {}

  /** The server, started on first use; `release` it once per `acquire`: the last release stops it. */
  static async acquire(latencyMs: number): Promise<SimulatedCri> {
    SimulatedCri.current ??= SimulatedCri.start(latencyMs);
    const cri = await SimulatedCri.current;
    cri.users++;
    return cri;
  }

  release(): void {
    if (--this.users > 0) return;
    SimulatedCri.current = undefined;
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * A connection to the simulated runtime socket, after a round trip (opening the SSH channel to the node's socket).
   * One socket stands for every simulated node's: when a thousand hosts connect at once its accept queue (the
   * server's listen backlog) fills and connect fails with EAGAIN, which each node's own socket would not; the
   * simulation then tries again, a millisecond later each time.
   */
  async open(latencyMs: number): Promise<Socket> {
    await new Promise((r) => setTimeout(r, latencyMs));
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      try {
        return await this.connect();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private connect(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.path, () => resolve(socket));
      socket.once('error', reject);
    });
  }

  private static async start(latencyMs: number): Promise<SimulatedCri> {
    const dir = mkdtempSync(join(tmpdir(), 'provision-simulated-cri-'));
    const path = join(dir, 'containerd.sock');
    // Named from the package root: the bench runs this module bundled (test/bench/scale.ts), where import.meta.url is the bundle's.
    const child = fork(join(packageRoot, 'test/bench/scale/simulated-cri.ts'), ['--serve', path, String(latencyMs)], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the simulated CRI exited ${code} before serving`)));
    });
    child.unref();
    child.channel?.unref();
    return new SimulatedCri(child, dir, path);
  }
}

/** The simulated runtime's state and answers (in the server's process). */
class SimulatedRuntime {
  private readonly sandboxes = new Map<string, { handler: string; ready: boolean }>();
  private readonly containers = new Map<string, { sandbox: string; state: string; logPath: string }>();

  static async serve(path: string, latencyMs: number): Promise<void> {
    const { grpc, RuntimeService, ImageService } = await criPackage();
    const server = new grpc.Server();
    const { runtime, images } = new SimulatedRuntime().services(grpc.status.NOT_FOUND, latencyMs);
    server.addService(RuntimeService.service, runtime);
    server.addService(ImageService.service, images);
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${path}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())),
    );
  }

  /** The answers, each after `latencyMs` (the round trip of the call over the host's connection). */
  private services(notFound: number, latencyMs: number): { runtime: UntypedServiceImplementation; images: UntypedServiceImplementation } {
    const after =
      // biome-ignore lint/suspicious/noExplicitAny: each answer types the request message it reads
      (answer: (request: any) => object) => (call: ServerUnaryCall<unknown, object>, callback: sendUnaryData<object>) =>
        setTimeout(() => {
          try {
            callback(null, answer(call.request));
          } catch (e) {
            callback({ code: notFound, details: (e as Error).message });
          }
        }, latencyMs);
    const id = () => randomBytes(32).toString('hex');
    const ready = (type: string) => ({ type, status: true, reason: '', message: '' });
    return {
      runtime: {
        Version: after(() => ({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: 'simulated', runtimeApiVersion: 'v1' })),
        Status: after(() => ({ status: { conditions: [ready('RuntimeReady'), ready('NetworkReady')] } })),
        RunPodSandbox: after((r: { config?: { logDirectory?: string }; runtimeHandler?: string }) => {
          const sandbox = id();
          this.sandboxes.set(sandbox, { handler: r.runtimeHandler ?? '', ready: true });
          return { podSandboxId: sandbox };
        }),
        CreateContainer: after((r: { podSandboxId: string; config: { logPath: string }; sandboxConfig: { logDirectory: string } }) => {
          if (!this.sandboxes.get(r.podSandboxId)?.ready) throw new Error(`sandbox ${r.podSandboxId} not found or not ready`);
          const container = id();
          this.containers.set(container, {
            sandbox: r.podSandboxId,
            state: 'CONTAINER_CREATED',
            logPath: `${r.sandboxConfig.logDirectory}/${r.config.logPath}`,
          });
          return { containerId: container };
        }),
        // The command (a version line, then exit 0) has run by the time the first status is asked.
        StartContainer: after((r: { containerId: string }) => {
          const c = this.containers.get(r.containerId);
          if (c?.state !== 'CONTAINER_CREATED') throw new Error(`container ${r.containerId} not found or not created`);
          c.state = 'CONTAINER_EXITED';
          return {};
        }),
        ContainerStatus: after((r: { containerId: string }) => {
          const c = this.containers.get(r.containerId);
          if (!c) throw new Error(`container ${r.containerId} not found`);
          return { status: { id: r.containerId, state: c.state, exitCode: 0, reason: 'Completed', message: '', logPath: c.logPath } };
        }),
        RemoveContainer: after((r: { containerId: string }) => {
          this.containers.delete(r.containerId);
          return {};
        }),
        StopPodSandbox: after((r: { podSandboxId: string }) => {
          const s = this.sandboxes.get(r.podSandboxId);
          if (!s) throw new Error(`sandbox ${r.podSandboxId} not found`);
          s.ready = false;
          return {};
        }),
        RemovePodSandbox: after((r: { podSandboxId: string }) => {
          for (const [c, v] of this.containers) if (v.sandbox === r.podSandboxId) this.containers.delete(c);
          this.sandboxes.delete(r.podSandboxId);
          return {};
        }),
      },
      images: {
        ImageStatus: after((r: { image?: { image?: string } }) => ({
          image: { id: `sha256:${'0'.repeat(64)}`, repoTags: [r.image?.image ?? ''], size: 300_000 },
        })),
        ListImages: after(() => ({ images: [] })),
        PullImage: after((r: { image?: { image?: string } }) => ({ imageRef: r.image?.image ?? '' })),
      },
    };
  }
}

// The server's process: `simulated-cri.ts --serve <socket> <latency ms>`; it says "ready" to its parent, and ends with it.
if (process.argv[2] === '--serve') {
  SimulatedRuntime.serve(process.argv[3]!, Number(process.argv[4])).then(
    () => process.send?.('ready'),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
  process.on('disconnect', () => process.exit(0));
}
