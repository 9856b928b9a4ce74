import type { Listener } from '../core/events.js';
import { ExitCode } from '../core/exit-codes.js';
import { err } from './terminal-text.js';

/**
 * Ctrl-C during a rollout. The first stops starting hosts and tasks and lets the running tasks
 * end (and the handlers they notified); the second aborts now, naming the hosts that were
 * started and not finished: their task in progress may have been cut anywhere.
 */
export class Interrupts {
  private count = 0;
  private readonly running = new Set<string>();

  constructor(
    private readonly write: (text: string) => void,
    private readonly abort: (running: string[]) => void,
  ) {}

  /** Follows which hosts are started and not yet finished. */
  readonly listener: Listener = (e) => {
    if (e.type === 'host-start') this.running.add(e.host);
    if (e.type === 'host-end') this.running.delete(e.host);
  };

  readonly interrupted = (): boolean => this.count > 0;

  readonly onSignal = (): void => {
    this.count++;
    if (this.count === 1) {
      this.write('\ninterrupted: running tasks finish, no new host or task starts (Ctrl-C again to abort now)\n');
      return;
    }
    const hosts = [...this.running].sort();
    this.write(
      hosts.length
        ? `\naborted: these hosts may be mid-task; run provision on them again: ${hosts.join(', ')}\n  --limit ${hosts.join(',')}\n`
        : '\naborted: no host was mid-task\n',
    );
    this.abort(hosts);
  };
}

/** The CLI's: messages on stderr; the abort gives the terminal back from the live view (`finish`), then exits 99. */
export function cliInterrupts(finish: () => Promise<void>): Interrupts {
  return new Interrupts(
    (text) => err(text),
    () => void Promise.race([finish(), new Promise((r) => setTimeout(r, 300))]).then(() => process.exit(ExitCode.interrupted)),
  );
}
