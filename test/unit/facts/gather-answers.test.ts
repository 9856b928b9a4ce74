import { expect } from 'chai';
import { FactCache } from '../../../src/apply/fact-cache.js';
import { NodeAnswerError } from '../../../src/core/errors.js';
import { existsFact } from '../../../src/facts/exists.js';
import type { Fact } from '../../../src/facts/fact.js';
import { probeScript } from '../../../src/facts/probe-script.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import type { RunOptions, RunResult } from '../../../src/transport/transport.js';

/** Issue 23: a gather's answer is input. What does not fit is a NodeAnswerError naming the probe, the host's failure. */
describe('gather answers are parsed, not trusted', () => {
  const facts = [existsFact('/'), existsFact('/nonexistent-zq')];

  it('an honest answer parses; one cut anywhere before its last end marker names the probe that printed no result', async () => {
    const probes = probeScript(facts);
    const r = await new LocalTransport().run(probes.script);
    expect([...probes.parse(r.stdout).values()]).to.deep.equal([true, false]);
    const lastEnd = r.stdout.lastIndexOf('-end ');
    for (let at = 0; at < lastEnd + 6; at += 7) {
      expect(() => probes.parse(r.stdout.slice(0, at)), `cut at ${at}`)
        .to.throw(NodeAnswerError)
        .with.property('message')
        .that.matches(/^node answered something provision cannot read: the gather's probe \d \(exists: \/, \/nonexistent-zq\) printed no result$/);
    }
  });

  it("a group answering for fewer items than asked is named too (the exists group's own split)", async () => {
    const probes = probeScript(facts);
    const nonce = /@@provision-([0-9a-f]{12})/.exec(probes.script)![1];
    expect(() => probes.parse(`@@provision-${nonce}-begin 0\ny\n@@provision-${nonce}-end 0 0\n`)).to.throw(NodeAnswerError, /probe of exists/);
  });

  it('through the fact cache: a garbage answer is a NodeAnswerError for the host (not a TransportError: the host is reachable)', async () => {
    class Garbage extends LocalTransport {
      override async run(_script: string, _opts?: RunOptions): Promise<RunResult> {
        return { code: 0, stdout: '\u001b[2J{"not":"an answer"}', stderr: '' };
      }
    }
    const cache = new FactCache(new Garbage('n1'));
    const e = await cache.need(facts as Fact<unknown>[], () => []).catch((x) => x);
    expect(e).to.be.instanceOf(NodeAnswerError);
    expect(e).to.have.property('host', 'n1');
    expect(e.message).to.match(/^node answered something provision cannot read: the gather's probe 0 .* printed no result \(the gather's exit 0; stderr: \)$/);
  });
});
