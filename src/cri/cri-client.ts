import { nextTurn } from '../core/next-turn.js';
import type { Transport } from '../transport/transport.js';
import { CriError } from './cri-error.js';
import { loadCriServices, type GrpcServiceClient } from './cri-proto.js';
import type { ContainerConfig, CriCondition, CriContainerStatus, CriImage, CriPodSandbox, PodSandboxConfig } from './cri-types.js';
import { bridgeUnixSocket } from './socket-bridge.js';

export type {
  ContainerConfig,
  CriCondition,
  CriContainerStatus,
  CriImage,
  CriPodSandbox,
  NamespaceMode,
  NamespaceOption,
  PodSandboxConfig,
} from './cri-types.js';
export { CriError } from './cri-error.js';

/** The CRI calls kubelet makes, over runtime.v1 gRPC to the node's runtime socket. */
export interface CriClient {
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;
  status(): Promise<{ conditions: CriCondition[] }>;
  runPodSandbox(config: PodSandboxConfig, runtimeHandler: string): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  /** The sandboxes whose labels hold all of `labels` (kubelet lists its own this way to collect what a failed call left). */
  listPodSandbox(labels: Record<string, string>): Promise<CriPodSandbox[]>;
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<CriContainerStatus>;
  removeContainer(id: string): Promise<void>;
  imageStatus(image: string): Promise<CriImage | undefined>;
  pullImage(image: string, sandboxConfig?: PodSandboxConfig): Promise<string>;
  listImages(): Promise<CriImage[]>;
  close(): void;
}

export interface CriOptions {
  /** The deadline of each quick call (Version, Status, status and remove calls). Default 15 s. */
  deadlineMs?: number;
  /** The deadline of calls that may pull or start something (PullImage, RunPodSandbox, CreateContainer, StartContainer). Default 120 s. */
  slowDeadlineMs?: number;
}

/** The CRI API version kubelet announces in VersionRequest. */
const KUBELET_CRI_VERSION = '0.1.0';

/**
 * A CRI client for the runtime socket `socketPath` on `transport`'s host. The socket is reached
 * through the transport (over SSH a stream-local forwarding channel on the host's one connection)
 * and bridged to a private controller-side socket that gRPC connects to. One stream is opened first,
 * so an unreachable socket fails here with the transport's reason rather than later as UNAVAILABLE;
 * gRPC's first connection then uses that stream.
 */
export async function criOverTransport(transport: Transport, socketPath: string, opts: CriOptions = {}): Promise<CriClient> {
  const first = await transport.openUnixSocket(socketPath);
  // The stream is an answer from the node: the bridge and the channel are set up in a turn of this host's own.
  await nextTurn();
  const bridge = await bridgeUnixSocket(() => transport.openUnixSocket(socketPath), first).catch((e: unknown) => {
    first.destroy();
    throw e;
  });
  try {
    const services = await loadCriServices(`unix://${bridge.path}`);
    const call = caller(transport.host, opts, () => bridge.lastError);
    return clientOf(transport.host, call, services.runtime, services.images, () => {
      services.close();
      bridge.close();
    });
  } catch (e) {
    bridge.close();
    throw e;
  }
}

type Call = <T>(service: GrpcServiceClient, method: string, request: object, slow?: boolean) => Promise<T>;

/**
 * One unary call with its deadline; a failure becomes a CriError with the runtime's own text. The answer (or the
 * failure) is handed back in a turn of the loop of its own (nextTurn), as a transport's are: a thousand hosts'
 * pod checks get their runtimes' replies in the same socket poll, and each would otherwise go on to its next
 * call (a new HTTP/2 stream) in that same turn.
 */
function caller(host: string, opts: CriOptions, bridgeError: () => Error | undefined): Call {
  const answer = unaryCall(host, opts, bridgeError);
  return async (service, method, request, isSlow) => {
    try {
      return await answer(service, method, request, isSlow);
    } finally {
      await nextTurn();
    }
  };
}

// deep-nesting: a promise around grpc-js's callback API; the levels are the callbacks', the only branch is the error's.
function unaryCall(host: string, opts: CriOptions, bridgeError: () => Error | undefined): Call {
  const quick = opts.deadlineMs ?? 15_000;
  const slow = opts.slowDeadlineMs ?? 120_000;
  return (service, method, request, isSlow = false) =>
    new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + (isSlow ? Math.max(slow, quick) : quick));
      const fn = service[method[0]!.toLowerCase() + method.slice(1)] as unknown as UnaryMethod;
      fn.call(service, request, { deadline }, (err, response) => {
        if (!err) return resolve(response as never);
        const via = err.code === UNAVAILABLE && bridgeError() ? `${err.details} (${bridgeError()!.message})` : err.details;
        reject(new CriError(method, STATUS_NAMES[err.code] ?? String(err.code), via, host, err));
      });
    });
}

type UnaryMethod = (request: object, options: { deadline: Date }, cb: (err: GrpcError | null, response: unknown) => void) => void;
interface GrpcError extends Error {
  code: number;
  details: string;
}

const UNAVAILABLE = 14;
/** gRPC status codes (grpc/doc/statuscodes.md), for messages. */
const STATUS_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
};

interface WireImage {
  id: string;
  repoTags: string[];
  size: number;
}
const imageOf = (i: WireImage): CriImage => ({ id: i.id, repoTags: i.repoTags, size: Number(i.size) });
/** Env values are `bytes` in the current API (string before): sent as UTF-8 bytes, the same on the wire. */
const wireContainer = (c: ContainerConfig) => ({ ...c, envs: c.envs?.map((e) => ({ key: e.key, value: Buffer.from(e.value) })) });

function clientOf(host: string, call: Call, runtime: GrpcServiceClient, images: () => GrpcServiceClient, close: () => void): CriClient {
  return {
    version: () => call(runtime, 'Version', { version: KUBELET_CRI_VERSION }),
    status: async () => ({ conditions: (await call<{ status?: { conditions: CriCondition[] } }>(runtime, 'Status', {})).status?.conditions ?? [] }),
    runPodSandbox: async (config, runtimeHandler) =>
      (await call<{ podSandboxId: string }>(runtime, 'RunPodSandbox', { config, runtimeHandler }, true)).podSandboxId,
    stopPodSandbox: async (id) => void (await call(runtime, 'StopPodSandbox', { podSandboxId: id })),
    removePodSandbox: async (id) => void (await call(runtime, 'RemovePodSandbox', { podSandboxId: id })),
    listPodSandbox: async (labels) =>
      ((await call<{ items?: CriPodSandbox[] }>(runtime, 'ListPodSandbox', { filter: { labelSelector: labels } })).items ?? []).map((p) => ({
        id: p.id,
        metadata: p.metadata,
        state: p.state,
      })),
    createContainer: async (podSandboxId, config, sandboxConfig) =>
      (await call<{ containerId: string }>(runtime, 'CreateContainer', { podSandboxId, config: wireContainer(config), sandboxConfig }, true)).containerId,
    startContainer: async (id) => void (await call(runtime, 'StartContainer', { containerId: id }, true)),
    containerStatus: async (id) => {
      const s = (await call<{ status?: CriContainerStatus }>(runtime, 'ContainerStatus', { containerId: id })).status;
      if (!s) throw new CriError('ContainerStatus', 'NOT_FOUND', `no status for container ${id}`, host);
      return { state: s.state, exitCode: s.exitCode, reason: s.reason, message: s.message, logPath: s.logPath };
    },
    removeContainer: async (id) => void (await call(runtime, 'RemoveContainer', { containerId: id })),
    imageStatus: async (image) => {
      const r = await call<{ image?: WireImage | null }>(images(), 'ImageStatus', { image: { image } });
      return r.image ? imageOf(r.image) : undefined;
    },
    pullImage: async (image, sandboxConfig) => (await call<{ imageRef: string }>(images(), 'PullImage', { image: { image }, sandboxConfig }, true)).imageRef,
    listImages: async () => (await call<{ images: WireImage[] }>(images(), 'ListImages', {})).images.map(imageOf),
    close,
  };
}
