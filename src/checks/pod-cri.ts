/**
 * The part of the CRI client (`src/cri/`) the pod check uses, and the messages it sends, written from
 * the CRI API definition (k8s.io/cri-api pkg/apis/runtime/v1/api.proto, RuntimeService and
 * ImageService), field names as the gRPC loader gives them (camelCase). The check depends on this
 * much only, so its unit tests can drive it with a recording client.
 */
export interface PodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  hostname: string;
  logDirectory: string;
  labels?: Record<string, string>;
  linux?: { securityContext?: { namespaceOptions?: { network?: number; pid?: number; ipc?: number } } };
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  image: { image: string };
  command: string[];
  args?: string[];
  logPath: string;
  labels?: Record<string, string>;
}

/** api.proto NamespaceMode: POD is the pod's own (CNI) network, NODE the host's. */
export const NamespaceMode = { POD: 0, NODE: 2 } as const;

export interface PodCri {
  status(): Promise<{ conditions: { type: string; status: boolean; reason: string; message: string }[] }>;
  runPodSandbox(config: PodSandboxConfig, runtimeHandler: string): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<{ state: string; exitCode: number; reason: string; message: string; logPath: string }>;
  removeContainer(id: string): Promise<void>;
  imageStatus(image: string): Promise<{ id: string; repoTags: string[]; size: number } | undefined>;
  close(): void;
}
