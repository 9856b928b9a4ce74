import { expect } from 'chai';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bridgeUnixSocket } from '../../../src/cri/socket-bridge.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/** Sends `chunks` through `path` and collects what comes back until the far side ends (or resets). */
function roundTrip(path: string, chunks: Buffer[]): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const s = connect(path);
    s.on('data', (d) => got.push(d));
    s.on('error', () => {});
    s.on('close', () => resolve(Buffer.concat(got)));
    for (const c of chunks) s.write(c);
    s.end();
  });
}

describe('socket bridge (a controller-side socket standing for one on the node)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-bridge-test-'));
  const remote = join(dir, 'remote.sock');
  let server: Server;

  before(async () => {
    // The "node's" socket: an echo server that answers with what it got, reversed per connection.
    server = createServer((c) => {
      const got: Buffer[] = [];
      // A client that went away (a stream closed unused) is no error of the server's.
      c.on('error', () => {});
      c.on('data', (d) => got.push(d));
      c.on('end', () => c.end(Buffer.concat(got).reverse()));
    });
    await new Promise<void>((r) => server.listen(remote, () => r()));
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is a 0600 socket in a 0700 directory, its own path for each bridge, removed on close', async () => {
    const open = () => new LocalTransport().openUnixSocket(remote);
    const [bridge, other] = await Promise.all([bridgeUnixSocket(open), bridgeUnixSocket(open)]);
    expect(statSync(bridge.path).mode & 0o777).to.equal(0o600);
    expect(statSync(dirname(bridge.path)).mode & 0o777).to.equal(0o700);
    expect(other.path).to.not.equal(bridge.path);
    bridge.close();
    expect(() => statSync(bridge.path)).to.throw();
    expect(statSync(other.path).isSocket()).to.equal(true);
    other.close();
  });

  it("the bridges' directory is removed when the process exits", () => {
    const script = `import { bridgeUnixSocket } from './src/cri/socket-bridge.ts';
      const b = await bridgeUnixSocket(async () => { throw new Error('unused'); });
      console.log(b.path);
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).to.equal(0);
    const dir = dirname(r.stdout.trim());
    expect(dir).to.match(/provision-cri-/);
    expect(() => statSync(dir)).to.throw();
  });

  it('carries any bytes both ways, each connection on a stream of its own', async () => {
    const transport = new LocalTransport();
    const bridge = await bridgeUnixSocket(() => transport.openUnixSocket(remote));
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 70_000 }), { maxLength: 4 }), async (parts) => {
          const chunks = parts.map((p) => Buffer.from(p));
          const sent = Buffer.concat(chunks);
          const [a, b] = await Promise.all([roundTrip(bridge.path, chunks), roundTrip(bridge.path, [Buffer.from('x')])]);
          expect(a.equals(Buffer.from(sent).reverse())).to.equal(true);
          expect(b.toString()).to.equal('x');
        }),
        { numRuns: 30 },
      );
    } finally {
      bridge.close();
    }
  });

  it('keeps why a stream could not be opened, and closes the accepted connection', async () => {
    const bridge = await bridgeUnixSocket(() => new LocalTransport('node1').openUnixSocket(join(dir, 'absent.sock')));
    try {
      expect((await roundTrip(bridge.path, [Buffer.from('hello')])).length).to.equal(0);
      expect(bridge.lastError?.message).to.match(/cannot open the socket .*absent\.sock on node1: .*ENOENT/);
    } finally {
      bridge.close();
    }
  });

  it('gives its first connection the stream already opened (no second channel), and opens one for each next', async () => {
    const transport = new LocalTransport();
    let opened = 0;
    const first = await transport.openUnixSocket(remote);
    const bridge = await bridgeUnixSocket(() => {
      opened++;
      return transport.openUnixSocket(remote);
    }, first);
    try {
      expect((await roundTrip(bridge.path, [Buffer.from('abc')])).toString()).to.equal('cba');
      expect(opened, 'the first connection used the stream given').to.equal(0);
      expect((await roundTrip(bridge.path, [Buffer.from('de')])).toString()).to.equal('ed');
      expect(opened).to.equal(1);
    } finally {
      bridge.close();
    }
  });

  it('closes a first stream no connection took', async () => {
    const first = await new LocalTransport().openUnixSocket(remote);
    const bridge = await bridgeUnixSocket(() => Promise.reject(new Error('not used')), first);
    bridge.close();
    expect(first.destroyed).to.equal(true);
  });
});
