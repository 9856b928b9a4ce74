/**
 * The CRI messages provision sends, as plain TypeScript: the fields of cri-api.proto it uses, in
 * proto-loader's camelCase (log_directory is logDirectory). Enums are their proto names.
 */
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

export interface NamespaceOption {
  /** NODE: host network (no CNI involved); POD: the pod's own network namespace, set up by CNI. */
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
}

export interface PodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt?: number };
  hostname?: string;
  /** Where containers' CRI log files go on the node; a container's logPath is relative to it. */
  logDirectory?: string;
  dnsConfig?: { servers?: string[]; searches?: string[]; options?: string[] };
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    cgroupParent?: string;
    securityContext?: { namespaceOptions?: NamespaceOption; privileged?: boolean };
  };
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  /** The image by reference or id, as an image already on the node is named in ImageStatus/ListImages. */
  image: { image: string; annotations?: Record<string, string>; userSpecifiedImage?: string; runtimeHandler?: string };
  /** The entrypoint (Docker's ENTRYPOINT); the image's own when empty. */
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: { key: string; value: string }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Relative to the sandbox's logDirectory. */
  logPath?: string;
  linux?: { securityContext?: { namespaceOptions?: NamespaceOption; privileged?: boolean } };
}

export interface CriImage {
  id: string;
  repoTags: string[];
  size: number;
}

export interface CriContainerStatus {
  /** CONTAINER_CREATED, CONTAINER_RUNNING, CONTAINER_EXITED or CONTAINER_UNKNOWN. */
  state: string;
  exitCode: number;
  reason: string;
  message: string;
  logPath: string;
}

export interface CriPodSandbox {
  id: string;
  metadata?: { name: string; uid: string; namespace: string; attempt?: number };
  /** SANDBOX_READY or SANDBOX_NOTREADY. */
  state: string;
}

export interface CriCondition {
  /** RuntimeReady, NetworkReady. */
  type: string;
  status: boolean;
  reason: string;
  message: string;
}
