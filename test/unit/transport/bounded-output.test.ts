import { expect } from 'chai';
import { CappedText, TailText } from '../../../src/transport/bounded-output.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import { expectBoundedAnswers } from '../../helpers/bounded-answers.js';

describe('issue 23: what a transport keeps of a node output is bounded', function () {
  this.timeout(60_000);

  it('TailText keeps the last characters and counts the rest, lines joined by newlines', () => {
    const t = new TailText(10);
    t.line('abc');
    t.line('');
    expect(t.text).to.equal('abc\n');
    for (let i = 0; i < 1000; i++) t.add('0123456789');
    expect(t.text).to.equal('[9994 characters dropped]\n0123456789');
    t.add('x'.repeat(25));
    expect(t.text).to.equal('[10019 characters dropped]\nxxxxxxxxxx');
  });

  it('CappedText keeps everything up to its cap, then nothing', () => {
    const c = new CappedText(8);
    c.line('abc');
    c.line('def');
    expect([c.text, c.overflow]).to.deep.equal(['abc\ndef', false]);
    c.add('gh');
    expect([c.text, c.overflow]).to.deep.equal(['', true]);
  });

  it('the local transport: an 80 MiB answer fails the host, streamed output and stderr keep their tails', async () => {
    await expectBoundedAnswers(new LocalTransport('local'));
  });
});
