import type { Duplex } from 'node:stream';

/** The one interface the engine uses to reach a host. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** How long to wait for the answer; past it the connection is given up on (lost). */
  timeoutMs?: number;
  /** Called with stdout as it arrives (an apply script's per-task markers), besides collecting it. */
  onStdout?: (chunk: string) => void;
}

export interface Transport {
  readonly host: string;
  /** Runs a POSIX shell script on the host (as the become user when becoming), feeding it on stdin. */
  run(script: string, opts?: RunOptions): Promise<RunResult>;
  /** How many scripts have been run: the engine's round-trip budget is checked against it. */
  readonly runs: number;
  /**
   * A byte stream to a unix socket on the host (containerd's CRI socket), as `ssh -L
   * local.sock:/run/containerd/containerd.sock` opens one: over SSH a stream-local forwarding
   * channel, opened by the login user (become does not apply: README, "Talking to a node's runtime").
   */
  openUnixSocket(path: string): Promise<Duplex>;
  close(): Promise<void>;
}
