import type { NodeSSH } from 'node-ssh';
import { constants as osConstants } from 'node:os';
import type { Duplex } from 'node:stream';
import { ConnectionLostError, TransportError } from '../core/errors.js';
import type { ConnectionSpec } from '../inventory/connection.js';
import { ScriptOutput } from './bounded-output.js';
import { type RawExec, ScriptTransport } from './script-transport.js';
import { openRoute, planRoute, type RouteOptions } from './ssh-route.js';
import type { RunResult } from './transport.js';

/** The part of ssh2's Client used for stream-local forwarding (node-ssh does not wrap it). */
interface StreamLocalClient {
  openssh_forwardOutStreamLocal(socketPath: string, cb: (err: Error | undefined, stream: Duplex) => void): void;
}

interface ExecResult {
  code: number | null;
  signal: string | null;
  /** stdout read whole went past ANSWER_MAX: the channel was closed. */
  tooLarge: boolean;
}

/** What of ssh2's exec channel is used (its types are not among this project's). */
interface ExecChannel {
  on(event: 'data', listener: (chunk: Buffer) => void): void;
  on(event: 'exit', listener: (code: number | null, signal?: string) => void): void;
  on(event: 'close', listener: () => void): void;
  stderr: { on(event: 'data', listener: (chunk: Buffer) => void): void };
  close(): void;
  end(data: string): void;
}

export interface SshOptions extends RouteOptions {
  becomePassword?: string;
}

/**
 * One SSH connection per host (through its jump hosts, if any), reused for every script of the
 * run. Every host key on the route is checked against known_hosts before anything is sent; an
 * unknown key is refused unless accept-new (flag or ssh_config), a changed key always.
 */
export class SshTransport extends ScriptTransport {
  private constructor(
    host: string,
    private readonly ssh: NodeSSH,
    spec: ConnectionSpec,
    password?: string,
    private readonly jumps: NodeSSH[] = [],
  ) {
    super(host, spec.become ? { user: spec.becomeUser, password } : undefined);
    this.becomes = spec.become && spec.becomeUser === 'root' && spec.user !== 'root';
    this.watch();
  }

  static async connect(host: string, spec: ConnectionSpec, opts: SshOptions = {}): Promise<SshTransport> {
    const hops = await openRoute(host, planRoute(spec, opts));
    const target = hops.pop()!;
    return new SshTransport(host, target, spec, opts.becomePassword ?? spec.becomePassword, hops);
  }

  /** Scripts run as root through sudo while the login user may not be root: a root-owned socket may be refused. */
  private readonly becomes: boolean;

  /** Why the connection broke, once it has: every later script is refused with it. */
  private lost?: string;

  private watch(): void {
    const connection = this.ssh.connection;
    // Without an 'error' listener a reset connection would throw out of the event loop.
    connection?.on('error', (e: Error) => (this.lost ??= e.message));
    connection?.on('end', () => (this.lost ??= 'the connection was closed'));
    connection?.on('close', () => (this.lost ??= 'the connection was closed'));
  }

  private lostError(reason: string, cause?: unknown): ConnectionLostError {
    return new ConnectionLostError(`lost the connection to ${this.host}: ${reason}`, { host: this.host, cause });
  }

  // deep-nesting: a promise around ssh2's channel callbacks; the levels are the callbacks', not branches.
  protected exec: RawExec = async (command, stdin, timeoutMs, onStdout): Promise<RunResult> => {
    const connection = this.ssh.connection;
    if (this.lost || !this.ssh.isConnected() || !connection) throw this.lostError(this.lost ?? 'the connection was closed');
    let timer: NodeJS.Timeout | undefined;
    // Not node-ssh's execCommand: it keeps every chunk and joins them at the end, unbounded.
    const output = new ScriptOutput(onStdout);
    const run = new Promise<ExecResult>((resolve, reject) => {
      connection.exec(command, {}, (err: Error | undefined, channel: ExecChannel) => {
        if (err) return reject(this.lostError(err.message, err));
        const r: ExecResult = { code: null, signal: null, tooLarge: false };
        channel.on('data', (chunk: Buffer) => {
          if (r.tooLarge || output.out(chunk)) return;
          r.tooLarge = true;
          channel.close();
        });
        channel.stderr.on('data', (chunk: Buffer) => output.err(chunk));
        channel.on('exit', (code: number | null, signal?: string) => {
          r.code = code ?? null;
          r.signal = signal ?? null;
        });
        channel.on('close', () => resolve(r));
        channel.end(stdin);
      });
    });
    const timeout = new Promise<never>((_, reject) => {
      if (!timeoutMs) return;
      timer = setTimeout(() => {
        // No answer at all (the time limit on the node would have ended the script): the
        // connection cannot be trusted for another script.
        this.lost ??= `no answer within ${Math.round(timeoutMs / 1000)} s`;
        this.ssh.dispose();
        reject(this.lostError(this.lost));
      }, timeoutMs);
    });
    try {
      const r = await Promise.race([run, timeout]);
      if (r.tooLarge) throw ScriptOutput.tooLarge(this.host);
      if (r.code !== null && r.code !== undefined) return output.result(r.code);
      // A channel that closes without an exit status: the connection went, or the remote process was killed by a signal.
      if (this.lost || !r.signal) throw this.lostError(this.lost ?? 'the command ended without an exit status');
      const name = (r.signal.startsWith('SIG') ? r.signal : `SIG${r.signal}`) as NodeJS.Signals;
      output.err(`killed by ${name}\n`);
      return output.result(128 + (osConstants.signals[name] ?? 0));
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * A stream-local forwarding channel (direct-streamlocal@openssh.com) on this host's one
   * connection. sshd opens the socket as the login user: with become and a non-root user the
   * root-owned CRI socket is refused, and the error says so (no bridge through sudo: it would need
   * socat or the like on every node).
   */
  openUnixSocket(path: string): Promise<Duplex> {
    if (this.lost || !this.ssh.isConnected()) return Promise.reject(this.lostError(this.lost ?? 'the connection was closed'));
    const client = this.ssh.connection as unknown as StreamLocalClient;
    return new Promise((resolve, reject) => {
      client.openssh_forwardOutStreamLocal(path, (err, stream) => {
        if (!err) return resolve(stream);
        const hint = this.becomes
          ? ' (the SSH login user opens it: ansible_become does not apply to a forwarded socket; log in as a user that may open it, e.g. root)'
          : '';
        reject(new TransportError(`cannot open the socket ${path} on ${this.host} over SSH: ${err.message}${hint}`, { host: this.host, cause: err }));
      });
    });
  }

  async close(): Promise<void> {
    this.ssh.dispose();
    for (const jump of this.jumps.reverse()) jump.dispose();
  }
}
