import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import type { Change } from '../../../src/core/change.js';
import { type BatchEvent, batchApplyScript } from '../../../src/apply/apply-script.js';

/** The batch script run by this machine's /bin/sh, its output fed to the parser in small chunks as a stream would. */
function run(parts: { changes: Change[]; handler?: boolean }[], opts: { timeLimitS?: number; gatherAfter?: string } = {}) {
  const batch = batchApplyScript(
    parts.map((p) => ({ changes: p.changes, handler: !!p.handler })),
    opts,
  );
  const r = spawnSync('/bin/sh', ['-s'], { input: batch.script, encoding: 'utf8' });
  const stream = batch.parser();
  const events: BatchEvent[] = [];
  for (let i = 0; i < r.stdout.length; i += 7) stream.feed(r.stdout.slice(i, i + 7), (e) => events.push(e));
  return { code: r.status, events, stream };
}
const change = (script: string): Change => ({ what: script, script, predict: [] });

describe('batch apply script: one round trip, task by task', () => {
  it('runs every part in order, each between its markers, with its own output', () => {
    const { code, events, stream } = run([{ changes: [change('echo one'), change('echo two')] }, { changes: [change('echo three')] }], {
      gatherAfter: 'echo gathered',
    });
    expect(code).to.equal(0);
    expect(events).to.deep.equal([
      { kind: 'begin', part: 0 },
      { kind: 'end', part: 0, code: 0, output: 'one\ntwo' },
      { kind: 'begin', part: 1 },
      { kind: 'end', part: 1, code: 0, output: 'three' },
    ]);
    expect(stream.gathered).to.equal('gathered\n');
    expect(stream.dir).to.match(/^\/tmp\//);
  });

  it('the first failing task stops the batch: its exit code and stderr are told, nothing after it runs', () => {
    const { code, events, stream } = run([
      { changes: [change('echo ok')] },
      { changes: [change('echo partial; echo broken >&2; false'), change('echo never')] },
      { changes: [change('echo not run')] },
    ]);
    expect(code).to.equal(1);
    expect(events.at(-1)).to.deep.equal({ kind: 'end', part: 1, code: 1, output: 'partial' });
    expect(events.filter((e) => e.kind === 'begin')).to.have.length(2);
    expect(stream.stderr(1)).to.equal('broken');
    expect(stream.gathered).to.equal(undefined);
  });

  it("a failing handler is told but the batch goes on (as handlers' failures never stopped a host)", () => {
    const { code, events } = run([{ changes: [change('echo bad >&2; exit 3')], handler: true }, { changes: [change('echo after')] }]);
    expect(code).to.equal(0);
    expect(events).to.deep.include({ kind: 'end', part: 0, code: 3, output: 'bad' });
    expect(events.at(-1)).to.deep.equal({ kind: 'end', part: 1, code: 0, output: 'after' });
  });

  it('a command reading stdin cannot eat the rest of the script', () => {
    const { events } = run([{ changes: [change('cat')] }, { changes: [change('echo still here')] }]);
    expect(events.at(-1)).to.deep.equal({ kind: 'end', part: 1, code: 0, output: 'still here' });
  });

  it('a per-task time limit ends a task that runs too long (exit 124) and the batch with it', () => {
    const start = Date.now();
    const { code, events } = run([{ changes: [change('sleep 5')] }, { changes: [change('echo never')] }], { timeLimitS: 1 });
    expect(Date.now() - start).to.be.below(4000);
    expect(code).to.equal(124);
    expect(events.at(-1)).to.deep.include({ kind: 'end', part: 0, code: 124 });
  });

  it('a stop file (Ctrl-C on the controller) starts no new task; the running one finishes', () => {
    const { code, events } = run([{ changes: [change('echo first; : > "$d/stop"')] }, { changes: [change('echo never')] }]);
    expect(code).to.equal(0);
    expect(events).to.deep.equal([
      { kind: 'begin', part: 0 },
      { kind: 'end', part: 0, code: 0, output: 'first' },
    ]);
  });

  it('markers without the nonce, printed by a task, are only output', () => {
    const { events } = run([{ changes: [change("echo '@@provision-000000000000-end 0 0'")] }]);
    expect(events).to.have.length(2);
    expect(events[1]).to.deep.include({ output: '@@provision-000000000000-end 0 0' });
  });

  it('a part the node decides says "unchanged" when its change touched $PROVISION_UNCHANGED, by a marker no task can forge', () => {
    const decided = (script: string): Change => ({ ...change(script), decidedOnNode: { unchanged: 'nothing to do' } });
    for (const opts of [{}, { timeLimitS: 30 }]) {
      const { code, events } = run(
        [
          { changes: [decided('[ -n "$PROVISION_UNCHANGED" ]; : > "$PROVISION_UNCHANGED"')] },
          { changes: [decided('echo changed it')] },
          // Not decided on the node: no file to touch, and no "unchanged" however it tries.
          { changes: [change('echo "[$PROVISION_UNCHANGED]"; : > "$d/unchanged-2"; echo \'@@provision-000000000000-end 2 0 unchanged\'')] },
          // Touched, then failed: the failure is what counts.
          { changes: [decided(': > "$PROVISION_UNCHANGED"; exit 3')] },
        ],
        opts,
      );
      expect(code).to.equal(3);
      expect(events.filter((e) => e.kind === 'end')).to.deep.equal([
        { kind: 'end', part: 0, code: 0, output: '', unchanged: true },
        { kind: 'end', part: 1, code: 0, output: 'changed it' },
        { kind: 'end', part: 2, code: 0, output: '[]\n@@provision-000000000000-end 2 0 unchanged' },
        { kind: 'end', part: 3, code: 3, output: '' },
      ]);
    }
  });
});
