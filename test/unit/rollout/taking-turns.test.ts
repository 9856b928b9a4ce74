import { expect } from 'chai';
import { takingTurns } from '../../../src/rollout/taking-turns.js';
import type { RunResult, Transport } from '../../../src/transport/transport.js';

/** A node that answers at once: every host's answer is ready in the same turn of the loop. */
class Instant implements Transport {
  runs = 0;
  closed = false;
  constructor(readonly host: string) {}
  async run(): Promise<RunResult> {
    this.runs++;
    return { code: 0, stdout: this.host, stderr: '' };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  async openUnixSocket(): Promise<never> {
    throw new Error('no socket');
  }
  /** What a transport may add (a stream to a socket, say): reached through the wrapper, on itself. */
  own(): string {
    return `${this.host}:${this.runs}`;
  }
}

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

describe('hosts take turns with their answers (takingTurns)', () => {
  it('a timer that is due runs between two hosts whose answers arrived together', async () => {
    const connect = takingTurns(async (host) => new Instant(host));
    const spec = { type: 'local' } as never;
    const [a, b] = await Promise.all([connect('a', spec), connect('b', spec)]);
    const order: string[] = [];
    await Promise.all([
      a.run('x').then((r) => {
        order.push(r.stdout);
        // Due while this host still plans: it must run before the next host's turn.
        setTimeout(() => order.push('timer'), 1);
        busy(5);
      }),
      b.run('x').then((r) => order.push(r.stdout)),
    ]);
    expect(order).to.deep.equal(['a', 'timer', 'b']);
  });

  it('the rest of the transport is its own: run count, close, and whatever it adds', async () => {
    const inner = new Instant('h');
    const t = await takingTurns(async () => inner)('h', { type: 'local' } as never);
    await t.run('x');
    await t.run('y');
    expect(t.runs).to.equal(2);
    expect((t as unknown as Instant).own()).to.equal('h:2');
    await t.close();
    expect(inner.closed).to.equal(true);
  });
});
