import { expect } from 'chai';
import { emptyStats, type RunEvent } from '../../../../src/core/events.js';
import { LiveView } from '../../../../src/cli/reporters/live-view.js';

describe('live view', () => {
  let now = 0;
  const clock = () => now;
  const end = (host: string, over: Partial<ReturnType<typeof emptyStats>> = {}): RunEvent => ({
    type: 'host-end',
    host,
    stats: { ...emptyStats(), ok: 3, ...over },
  });

  it('shows the wave, counts of the total, elapsed and time left from finished waves', () => {
    now = 0;
    const v = new LiveView(6, clock);
    v.update({ type: 'wave-start', index: 1, of: 3, hosts: ['a', 'b'] });
    v.update({ type: 'host-start', host: 'a' });
    v.update({ type: 'host-start', host: 'b' });
    v.update({ type: 'task-start', host: 'a', role: 'install-containerd', task: 'write config', handler: false });
    expect(v.header()).to.equal('wave 1/3 | 0 done, 2 running, 0 failed, 0 unreachable of 6 hosts | elapsed 0s');
    expect(v.runningLines(10)).to.deep.equal(['a: install-containerd > write config', 'b: starting']);
    now = 30_000;
    v.update(end('a'));
    v.update(end('b', { failed: 1 }));
    v.update({ type: 'wave-start', index: 2, of: 3, hosts: ['c', 'd'] });
    v.update({ type: 'host-start', host: 'c' });
    v.update({ type: 'host-unreachable', host: 'c', error: 'x' });
    v.update(end('c', { ok: 0, unreachable: 1 }));
    now = 40_000;
    // 2 waves of 30 s left (the current one has 20 s to go, the last one 30 s).
    expect(v.header()).to.equal('wave 2/3 | 1 done, 0 running, 1 failed, 1 unreachable of 6 hosts | elapsed 40s | about 50s left');
  });

  it('shows the window instead of waves, and the last gate or pause until the next', () => {
    now = 0;
    const v = new LiveView(6, clock);
    v.update({ type: 'window-start', width: 2, of: 6 });
    v.update({ type: 'host-start', host: 'a' });
    expect(v.header()).to.equal('window of 2 | 0 done, 1 running, 0 failed, 0 unreachable of 6 hosts | elapsed 0s');
    v.update(end('a'));
    v.update({ type: 'gate', name: 'alerts', passed: false, answer: '1 series', waitedMs: 10, after: ['a'] });
    expect(v.header()).to.match(/ \| gate alerts FAILED$/);
    v.update({ type: 'pause', after: 1, goOn: true, reason: 'answered y' });
    expect(v.header()).to.match(/ \| paused after 1: going on$/);
  });

  it('never shows more running hosts than it is given rows for', () => {
    const v = new LiveView(100, clock);
    for (let i = 0; i < 50; i++) v.update({ type: 'host-start', host: `h${i}` });
    const lines = v.runningLines(5);
    expect(lines).to.have.length(5);
    expect(lines[4]).to.equal('... and 46 more running');
  });

  it('folds finished hosts into counts: it keeps nothing per finished host', () => {
    const v = new LiveView(10_000, clock);
    for (let i = 0; i < 10_000; i++) {
      v.update({ type: 'host-start', host: `h${i}` });
      v.update(end(`h${i}`));
    }
    expect(v.runningLines(10)).to.deep.equal([]);
    expect(v.counts).to.deep.equal({ done: 10_000, failed: 0, unreachable: 0 });
  });
});
