/** The one interface the engine uses to reach a host. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** How long to wait for an answer before the connection is given up on (the controller's side). */
  timeoutMs?: number;
  /**
   * A time limit enforced on the node: the script runs under timeout(1), which ends its whole
   * process group after this many seconds (exit 124, or 137 when it had to be killed).
   */
  timeLimitS?: number;
}

/** Seconds `timeout -k` waits after SIGTERM before SIGKILL. */
export const KILL_AFTER_S = 10;

/** What the controller waits beyond a time limit before it stops waiting for the node. */
export const ANSWER_GRACE_S = 30;

export interface Transport {
  readonly host: string;
  /** Runs a POSIX shell script on the host (as the become user when becoming), feeding it on stdin. */
  run(script: string, opts?: RunOptions): Promise<RunResult>;
  /** How many scripts have been run: the engine's round-trip budget is checked against it. */
  readonly runs: number;
  close(): Promise<void>;
}
