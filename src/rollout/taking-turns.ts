import type { RunOptions } from '../transport/transport.js';
import type { TransportFactory } from '../plan/model.js';
import { nextTurn } from '../core/next-turn.js';

// Hosts take turns with what a node answered: see nextTurn (src/core; the CRI client's answers take the same turns).

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
