import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { criOverTransport } from '../../../src/cri/cri-client.js';
import { criPackage } from '../../../src/cri/cri-proto.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};

/**
 * A STAND-IN runtime (grpc-js serving the project's cri-api.proto, not containerd) that holds every Status
 * call until `hosts` have asked, then answers them all in one go: the answers reach the clients in the same
 * socket poll, as a thousand runtimes' replies do at forks 1,000.
 */
async function togetherRuntime(path: string, hosts: number): Promise<Server> {
  const { grpc, RuntimeService } = await criPackage();
  const server = new grpc.Server();
  const held: (() => void)[] = [];
  const ready = { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }] };
  server.addService(RuntimeService.service, {
    Status: (_call: unknown, callback: (e: null, r: object) => void) => {
      held.push(() => callback(null, { status: ready }));
      if (held.length === hosts) for (const answer of held.splice(0)) answer();
    },
  });
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${path}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  return server;
}

describe("hosts take turns with their runtimes' CRI answers", () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-cri-turns-'));
  const path = join(dir, 'containerd.sock');
  let server: Server;

  before(async () => {
    server = await togetherRuntime(path, 2);
  });
  after(() => {
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a timer that is due runs between two hosts whose answers arrived together', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((h) => criOverTransport(new LocalTransport(h), path)));
    const order: string[] = [];
    try {
      await Promise.all([
        a!.status().then(() => {
          order.push('a');
          // Due while this host still works on its answer: it must run before the other host's turn.
          setTimeout(() => order.push('timer'), 1);
          busy(5);
        }),
        b!.status().then(() => order.push('b')),
      ]);
    } finally {
      a!.close();
      b!.close();
    }
    expect(order).to.deep.equal(['a', 'timer', 'b']);
  });
});
