import { expect } from 'chai';
import { ConnectionLostError, NodeAnswerError } from '../../../src/core/errors.js';
import { emptyStats, type RunEvent } from '../../../src/core/events.js';
import { inHostSession } from '../../../src/rollout/host-session.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/** Issue 23: the one boundary of a host's work. Whatever is thrown inside ends that host only, as a result. */
describe('the host boundary (inHostSession): anything thrown is that host result, never the run end', () => {
  const session = async (thrown: unknown) => {
    const events: RunEvent[] = [];
    const stats = emptyStats();
    let closed = false;
    const transport = Object.assign(new LocalTransport('h'), {
      close: async () => {
        closed = true;
      },
    });
    await inHostSession('h', { ansible_connection: 'local' }, { connect: async () => transport, listener: (e) => events.push(e) }, stats, async () => {
      throw thrown;
    });
    return { events, stats, closed };
  };

  it('a fault of provision own (TypeError) is the host failure with its message, and the connection is closed', async () => {
    const { events, stats, closed } = await session(new TypeError('Cannot convert undefined or null to object'));
    expect(stats).to.deep.include({ failed: 1, unreachable: 0 });
    expect(events.at(-1)).to.deep.include({ type: 'task-result', host: 'h', role: 'rollout', task: 'host', status: 'failed' });
    expect((events.at(-1) as { error: string }).error).to.equal('TypeError: Cannot convert undefined or null to object');
    expect(closed).to.equal(true);
  });

  it('a node answer that does not fit is a failure, not "unreachable"', async () => {
    const { stats, events } = await session(new NodeAnswerError("the gather's probe 0 (x) printed no result"));
    expect(stats).to.deep.include({ failed: 1, unreachable: 0 });
    expect((events.at(-1) as { error: string }).error).to.equal("node answered something provision cannot read: the gather's probe 0 (x) printed no result");
  });

  it('a lost connection stays unreachable', async () => {
    const { stats, events } = await session(new ConnectionLostError('lost the connection to h: reset'));
    expect(stats).to.deep.include({ failed: 0, unreachable: 1 });
    expect(events.at(-1)).to.deep.equal({ type: 'host-unreachable', host: 'h', error: 'lost the connection to h: reset' });
  });

  it('something thrown that is no Error still ends only the host', async () => {
    const { stats, events } = await session('a string');
    expect(stats.failed).to.equal(1);
    expect((events.at(-1) as { error: string }).error).to.equal('a string');
  });
});
