import type { CriClient } from '../cri/cri-client.js';

export type { ContainerConfig, PodSandboxConfig } from '../cri/cri-client.js';

/** The part of the CRI client (`src/cri/`) the pod check uses: its unit tests drive it with a recording stand-in. */
export type PodCri = Pick<
  CriClient,
  | 'status'
  | 'runPodSandbox'
  | 'stopPodSandbox'
  | 'removePodSandbox'
  | 'listPodSandbox'
  | 'createContainer'
  | 'startContainer'
  | 'containerStatus'
  | 'removeContainer'
  | 'imageStatus'
  | 'close'
>;
