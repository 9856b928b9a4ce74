import { TransportError } from '../core/errors.js';
import { q } from './shell.js';
import type { Duplex } from 'node:stream';
import type { RunOptions, RunResult, Transport } from './transport.js';

export interface BecomeOptions {
  user: string;
  password?: string;
}

/** Runs `command` with `stdin`; what differs between SSH and local execution. */
export type RawExec = (command: string, stdin: string, timeoutMs?: number, onStdout?: (chunk: string) => void) => Promise<RunResult>;

/**
 * Privilege escalation on top of "run a command with stdin". Scripts go to `sh -s`
 * on stdin, so they are never part of a command line; `sudo -S` reads the password as the first
 * line of stdin, and only when sudo has said it needs one (else that line would reach the shell).
 * The sudo probe counts as a round trip: `runs` is what the round-trip budget is checked against.
 */
export abstract class ScriptTransport implements Transport {
  runs = 0;
  private sudoNeedsPassword?: boolean;

  constructor(
    readonly host: string,
    private readonly become?: BecomeOptions,
  ) {}

  protected abstract exec: RawExec;
  abstract close(): Promise<void>;
  abstract openUnixSocket(path: string): Promise<Duplex>;

  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    this.runs++;
    if (!this.become) return this.exec('sh -s', script, opts.timeoutMs, opts.onStdout);
    const user = this.become.user === 'root' ? '' : `-u ${q(this.become.user)} `;
    if (this.sudoNeedsPassword === undefined) {
      // The probe has the exact shape of the real command, so a NOPASSWD rule for sh is seen as such.
      this.runs++;
      const probe = await this.exec(`sudo -n ${user}sh -c true`, '', opts.timeoutMs);
      this.sudoNeedsPassword = probe.code !== 0;
    }
    if (!this.sudoNeedsPassword) return this.exec(`sudo -n ${user}sh -s`, script, opts.timeoutMs, opts.onStdout);
    if (this.become.password === undefined) {
      throw new TransportError(`sudo on ${this.host} needs a password: set ansible_become_password, PROVISION_BECOME_PASSWORD or use --ask-become-pass`, {
        host: this.host,
      });
    }
    // -k: sudo must read the password line even with cached credentials, or the shell would get it.
    const r = await this.exec(`sudo -k -S -p '' ${user}sh -s`, `${this.become.password}\n${script}`, opts.timeoutMs, opts.onStdout);
    if (r.code !== 0 && /incorrect password|Sorry, try again|a password is required/.test(r.stderr)) {
      throw new TransportError(`sudo on ${this.host} refused the become password`, { host: this.host });
    }
    return r;
  }
}
