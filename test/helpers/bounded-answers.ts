import { expect } from 'chai';
import { NodeAnswerError } from '../../src/core/errors.js';
import type { Transport } from '../../src/transport/transport.js';

/**
 * Issue 23, bounded output, for any transport: what the controller keeps of a script's output is
 * bounded whatever the node prints (the test watches the heap, not only the result).
 */
export async function expectBoundedAnswers(transport: Transport): Promise<void> {
  // 80 MiB read whole: no RangeError, no 80 MiB string; the host's failure, naming the cap.
  const big = await transport.run('head -c 83886080 /dev/zero | tr "\\0" x; echo').catch((e) => e);
  expect(big).to.be.instanceOf(NodeAnswerError);
  expect((big as Error).message).to.equal('node answered something provision cannot read: an answer of more than 64 MiB (the script was ended)');
  // The connection is still usable after it.
  expect((await transport.run('echo still')).stdout).to.equal('still\n');
  // Streamed (an apply script): the reader gets every byte, the result keeps the tail; stderr keeps its tail too.
  let streamed = 0;
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const r = await transport.run('head -c 83886080 /dev/zero | tr "\\0" y; echo end; head -c 2000000 /dev/zero | tr "\\0" e >&2; echo E >&2', {
    onStdout: (chunk) => {
      streamed += chunk.length;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    },
  });
  expect(streamed).to.equal(83886080 + 4);
  expect(r.code).to.equal(0);
  expect(r.stdout).to.match(/^\[\d+ characters dropped\]\ny+end\n$/);
  expect(r.stdout.length).to.be.below(65536 + 40);
  expect(r.stderr).to.match(/^\[1934466 characters dropped\]\ne+E\n$/);
  expect(peak - before).to.be.below(40 * 1024 * 1024);
}
