import { UsageError } from '../core/errors.js';
import type { TransportFactory } from '../plan/model.js';
import { LocalTransport } from '../transport/local-transport.js';
import { readSshConfig } from '../transport/ssh-config.js';
import { SshTransport } from '../transport/ssh-transport.js';
import { promptSecret } from './prompt.js';

export interface ConnectOptions {
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  askBecomePass?: boolean;
  connectTimeout?: string;
  /** `-T/--timeout`, the same as connectTimeout (Ansible's name). */
  timeout?: string;
  /** `-F FILE`: the OpenSSH client config (default ~/.ssh/config). */
  sshConfig?: string;
}

/** How commands reach hosts: SSH (host keys checked) or local, with become as the inventory says. */
export async function connector(opts: ConnectOptions): Promise<TransportFactory> {
  const timeout = opts.timeout ?? opts.connectTimeout;
  // Not given: ssh_config's ConnectTimeout, else the default (see ssh-route.ts).
  const connectTimeoutMs = timeout === undefined ? undefined : 1000 * Number(timeout);
  if (connectTimeoutMs !== undefined && !(connectTimeoutMs > 0)) throw new UsageError(`--timeout must be a number of seconds, got "${timeout}"`);
  const sshConfig = readSshConfig(opts.sshConfig);
  const becomePassword = process.env.PROVISION_BECOME_PASSWORD ?? (opts.askBecomePass ? await promptSecret('BECOME password: ') : undefined);
  return async (host, spec) => {
    const password = spec.becomePassword ?? becomePassword;
    if (spec.type === 'local') return new LocalTransport(host, spec.become ? { user: spec.becomeUser, password } : undefined);
    return SshTransport.connect(host, spec, {
      knownHostsFile: opts.knownHosts,
      acceptNewHostKeys: opts.acceptNewHostKeys,
      connectTimeoutMs,
      becomePassword: password,
      sshConfig,
    });
  };
}
