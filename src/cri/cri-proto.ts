import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';

/**
 * cri-api.proto, found from the package root both when running from src (tsx) and from dist (the
 * built CLI): the file ships as src/cri/cri-api.proto (package.json `files`), as tsc does not copy it.
 */
export const CRI_PROTO = join(packageRoot, 'src', 'cri', 'cri-api.proto');

/** A generated gRPC client: one method per RPC (lowerCamelCase), plus close. */
export type GrpcServiceClient = Record<string, unknown> & { close(): void };

type GrpcJs = typeof import('@grpc/grpc-js');
type ServiceConstructor = (new (...a: unknown[]) => GrpcServiceClient) & { service: import('@grpc/grpc-js').ServiceDefinition };

/** grpc-js and the parsed runtime.v1 package. */
export interface CriPackage {
  grpc: GrpcJs;
  RuntimeService: ServiceConstructor;
  ImageService: ServiceConstructor;
}

let loaded: Promise<CriPackage> | undefined;

/**
 * A CommonJS library's exports from a dynamic import. Node's own loader gives its named exports; the built
 * CLI (dist/bundle: esbuild's splitting turns the library into a chunk that exports module.exports as its
 * default) gives only `default`, and `loader.load` was then not a function there while every test passed.
 */
export function exportsOf<T extends object>(namespace: T | { default: T }, member: keyof T): T {
  return member in namespace ? (namespace as T) : (namespace as { default: T }).default;
}

/**
 * grpc-js and cri-api.proto, imported and parsed on first use and then kept: commands that run no CRI
 * call do not load them, and a run that checks many hosts parses the proto once, not once per host.
 */
export function criPackage(): Promise<CriPackage> {
  loaded ??= (async () => {
    const [grpcNs, loaderNs] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]);
    const grpc = exportsOf(grpcNs, 'loadPackageDefinition');
    const loader = exportsOf(loaderNs, 'load');
    const definition = await loader.load(CRI_PROTO, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
    const v1 = (grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: Record<string, ServiceConstructor> } }).runtime.v1;
    return { grpc, RuntimeService: v1.RuntimeService!, ImageService: v1.ImageService! };
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/**
 * The RuntimeService client on `target` (unix:///path), and the ImageService's, made on first use (the
 * pod check asks no image call: its channel is never set up). `close` closes what was made.
 */
export async function loadCriServices(target: string): Promise<{ runtime: GrpcServiceClient; images(): GrpcServiceClient; close(): void }> {
  const { grpc, RuntimeService, ImageService } = await criPackage();
  // kubelet's limit for CRI messages (16 MiB); the authority of a unix socket is "localhost" as with kubelet. Each
  // channel keeps its subchannel in a pool of its own: in grpc-js's global pool every channel's close walks every
  // target ever used, and each bridge is a new target (a thousand hosts' pod checks: a million steps, on the loop).
  const options = {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.default_authority': 'localhost',
    'grpc.use_local_subchannel_pool': 1,
  };
  const credentials = grpc.credentials.createInsecure();
  const runtime = new RuntimeService(target, credentials, options);
  let images: GrpcServiceClient | undefined;
  return {
    runtime,
    images: () => (images ??= new ImageService(target, credentials, options)),
    close: () => {
      runtime.close();
      images?.close();
    },
  };
}
