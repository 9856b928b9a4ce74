import type { RunOptions } from '../transport/transport.js';
import type { TransportFactory } from '../plan/model.js';

/**
 * Hosts take turns with what a node answered. With hundreds of forks, answers arrive together (one
 * timer or socket poll holds many), and each host then parses and plans synchronously until its next
 * request: run one after another in the same turn of the event loop, they would hold it for seconds,
 * with the live view frozen and Ctrl-C unheard. Each answer instead waits for its own turn, one
 * setImmediate each, so the loop polls timers, signals and sockets between any two hosts' steps.
 */
const waiting: (() => void)[] = [];
let pumping = false;

function pump(): void {
  const next = waiting.shift();
  if (!next) {
    pumping = false;
    return;
  }
  next();
  // Scheduled from inside a check phase: runs in the next turn of the loop, after its timers and poll.
  setImmediate(pump);
}

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}

/** The same connections, whose every answer is handed back in a turn of its own. */
export function takingTurns(connect: TransportFactory): TransportFactory {
  return async (host, spec) => {
    const inner = await connect(host, spec);
    await nextTurn();
    const run = async (script: string, opts?: RunOptions) => {
      const r = await inner.run(script, opts);
      await nextTurn();
      return r;
    };
    // Everything else (runs, close, whatever a transport adds) is the transport's own, on itself.
    return new Proxy(inner, {
      get(target, prop) {
        if (prop === 'run') return run;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
}
