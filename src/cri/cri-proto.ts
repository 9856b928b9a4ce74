import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';

/**
 * cri-api.proto, found from the package root both when running from src (tsx) and from dist (the
 * built CLI): the file ships as src/cri/cri-api.proto (package.json `files`), as tsc does not copy it.
 */
export const CRI_PROTO = join(packageRoot, 'src', 'cri', 'cri-api.proto');

/** A generated gRPC client: one method per RPC (lowerCamelCase), plus close. */
export type GrpcServiceClient = Record<string, unknown> & { close(): void };

/**
 * The RuntimeService and ImageService clients on `target` (unix:///path). grpc-js and the proto
 * loader are imported here, on first use: commands that run no CRI call do not load them.
 */
export async function loadCriServices(target: string): Promise<{ runtime: GrpcServiceClient; images: GrpcServiceClient }> {
  const [grpc, loader] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]);
  const definition = await loader.load(CRI_PROTO, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: Record<string, new (...a: unknown[]) => GrpcServiceClient> } };
  // kubelet's limit for CRI messages (16 MiB); the authority of a unix socket is "localhost" as with kubelet.
  const options = { 'grpc.max_receive_message_length': 16 * 1024 * 1024, 'grpc.default_authority': 'localhost' };
  const credentials = grpc.credentials.createInsecure();
  return {
    runtime: new pkg.runtime.v1.RuntimeService!(target, credentials, options),
    images: new pkg.runtime.v1.ImageService!(target, credentials, options),
  };
}
