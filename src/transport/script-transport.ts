import { TransportError } from '../core/errors.js';
import { q } from './shell.js';
import { ANSWER_GRACE_S, KILL_AFTER_S, type RunOptions, type RunResult, type Transport } from './transport.js';

export interface BecomeOptions {
  user: string;
  password?: string;
}

/** Runs `command` with `stdin`; what differs between SSH and local execution. */
export type RawExec = (command: string, stdin: string, timeoutMs?: number) => Promise<RunResult>;

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

  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    this.runs++;
    const limit = opts.timeLimitS && opts.timeLimitS > 0 ? opts.timeLimitS : undefined;
    // timeout(1) runs inside sudo, as the become user: it can signal every process of the script.
    const sh = limit ? `timeout -k ${KILL_AFTER_S} ${limit} sh -s` : 'sh -s';
    const timeoutMs = opts.timeoutMs ?? (limit ? (limit + KILL_AFTER_S + ANSWER_GRACE_S) * 1000 : undefined);
    if (!this.become) return this.exec(sh, script, timeoutMs);
    const user = this.become.user === 'root' ? '' : `-u ${q(this.become.user)} `;
    if (this.sudoNeedsPassword === undefined) {
      // The probe has the shape of the real command, so a NOPASSWD rule for sh is seen as such.
      this.runs++;
      const probe = await this.exec(`sudo -n ${user}sh -c true`, '', timeoutMs);
      this.sudoNeedsPassword = probe.code !== 0;
    }
    if (!this.sudoNeedsPassword) return this.exec(`sudo -n ${user}${sh}`, script, timeoutMs);
    if (this.become.password === undefined) {
      throw new TransportError(`sudo on ${this.host} needs a password: set ansible_become_password, PROVISION_BECOME_PASSWORD or use --ask-become-pass`, {
        host: this.host,
      });
    }
    // -k: sudo must read the password line even with cached credentials, or the shell would get it.
    const r = await this.exec(`sudo -k -S -p '' ${user}${sh}`, `${this.become.password}\n${script}`, timeoutMs);
    if (r.code !== 0 && /incorrect password|Sorry, try again|a password is required/.test(r.stderr)) {
      throw new TransportError(`sudo on ${this.host} refused the become password`, { host: this.host });
    }
    return r;
  }
}
