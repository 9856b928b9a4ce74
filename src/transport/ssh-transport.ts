import type { NodeSSH } from 'node-ssh';
import { StringDecoder } from 'node:string_decoder';
import { TransportError } from '../core/errors.js';
import type { ConnectionSpec } from '../inventory/connection.js';
import { type RawExec, ScriptTransport } from './script-transport.js';
import { openRoute, planRoute, type RouteOptions } from './ssh-route.js';
import type { RunResult } from './transport.js';

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
  }

  static async connect(host: string, spec: ConnectionSpec, opts: SshOptions = {}): Promise<SshTransport> {
    const hops = await openRoute(host, planRoute(spec, opts));
    const target = hops.pop()!;
    return new SshTransport(host, target, spec, opts.becomePassword ?? spec.becomePassword, hops);
  }

  protected exec: RawExec = async (command, stdin, timeoutMs, onStdout): Promise<RunResult> => {
    let timer: NodeJS.Timeout | undefined;
    const decoder = new StringDecoder('utf8');
    const stream = onStdout ? { onStdout: (chunk: Buffer) => onStdout(decoder.write(chunk)) } : {};
    const run = (
      this.ssh.execCommand(command, { stdin, noTrim: true, ...stream } as never) as Promise<{ code: number | null; stdout: string; stderr: string }>
    ).catch((e) => {
      throw new TransportError(`lost the connection to ${this.host}: ${(e as Error).message}`, { host: this.host, cause: e });
    });
    const timeout = new Promise<never>((_, reject) => {
      if (timeoutMs) timer = setTimeout(() => reject(new TransportError(`no answer from ${this.host} within ${timeoutMs} ms`, { host: this.host })), timeoutMs);
    });
    try {
      const r = await Promise.race([run, timeout]);
      return { code: r.code ?? 255, stdout: r.stdout, stderr: r.stderr };
    } finally {
      clearTimeout(timer);
    }
  };

  async close(): Promise<void> {
    this.ssh.dispose();
    for (const jump of this.jumps.reverse()) jump.dispose();
  }
}
