import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CriError, criOverTransport } from '../../../src/cri/cri-client.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/** A runtime socket that accepts and never answers (a hung containerd): every CRI call ends at its deadline. */
describe('CRI calls have deadlines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-cri-hung-'));
  const path = join(dir, 'hung.sock');
  const held: Socket[] = [];
  let server: Server;

  before(async () => {
    server = createServer((c) => {
      held.push(c);
      c.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(path, () => r()));
  });
  after(() => {
    for (const c of held) c.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a quick call and a slow one fail with DEADLINE_EXCEEDED by their own deadlines, naming the call and host', async () => {
    const cri = await criOverTransport(new LocalTransport('node1'), path, { deadlineMs: 300, slowDeadlineMs: 600 });
    try {
      for (const [call, limit] of [
        [() => cri.version(), 300],
        [() => cri.pullImage('registry.example/app:1'), 600],
      ] as const) {
        const started = Date.now();
        const e = await call().then(
          () => undefined,
          (err: unknown) => err,
        );
        const took = Date.now() - started;
        expect(e).to.be.instanceOf(CriError);
        expect((e as CriError).status).to.equal('DEADLINE_EXCEEDED');
        expect((e as CriError).message).to.match(/^CRI (Version|PullImage) on node1: /);
        expect(took).to.be.within(limit - 50, limit + 3000);
      }
    } finally {
      cri.close();
    }
  });
});
