import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import type { Change } from '../../../src/core/change.js';
import { type ApplyStreamEvent, buildApplyScript } from '../../../src/apply/apply-script.js';

/** The apply script run by this machine's /bin/sh, its output fed to the parser in small chunks as a stream would. */
function run(parts: { changes: Change[]; handler?: boolean }[], opts: { timeLimitS?: number; gatherAfter?: string } = {}) {
  const built = buildApplyScript(
    parts.map((p) => ({ changes: p.changes, handler: !!p.handler })),
    opts,
  );
  const r = spawnSync('/bin/sh', ['-s'], { input: built.script, encoding: 'utf8' });
  const stream = built.parser();
  const events: ApplyStreamEvent[] = [];
  for (let i = 0; i < r.stdout.length; i += 7) stream.feed(r.stdout.slice(i, i + 7), (e) => events.push(e));
  stream.end();
  return { code: r.status, events, stream };
}
const change = (script: string): Change => ({ what: script, script, predict: [] });

describe('apply script: one round trip, task by task', () => {
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

  it('the first failing task stops the script: its exit code and stderr are told, nothing after it runs', () => {
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

  it("a failing handler is told but the script goes on (as handlers' failures never stopped a host)", () => {
    const { code, events } = run([{ changes: [change('echo bad >&2; exit 3')], handler: true }, { changes: [change('echo after')] }]);
    expect(code).to.equal(0);
    expect(events).to.deep.include({ kind: 'end', part: 0, code: 3, output: 'bad' });
    expect(events.at(-1)).to.deep.equal({ kind: 'end', part: 1, code: 0, output: 'after' });
  });

  it('a command reading stdin cannot eat the rest of the script', () => {
    const { events } = run([{ changes: [change('cat')] }, { changes: [change('echo still here')] }]);
    expect(events.at(-1)).to.deep.equal({ kind: 'end', part: 1, code: 0, output: 'still here' });
  });

  it('a per-task time limit ends a task that runs too long (exit 124) and the script with it', () => {
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

describe('issue 23: an apply script stream is input: markers cannot be forged or lost, output is bounded', () => {
  /** A parser of a real apply script, and its marker (read from the script, as a node could not). */
  const parserOf = (parts: number) => {
    const built = buildApplyScript(Array.from({ length: parts }, () => ({ changes: [change('true')], handler: false })));
    const mark = /@@provision-[0-9a-f]{12}/.exec(built.script)![0];
    return { stream: built.parser(), mark };
  };

  it('`printf done` (no newline) as a task: its end marker is still seen, the next task is reported, no nonce in any output', () => {
    const { code, events, stream } = run([{ changes: [change('printf done')] }, { changes: [change('printf "x\\n\\n"')] }], { gatherAfter: 'printf g' });
    expect(code).to.equal(0);
    expect(events).to.deep.equal([
      { kind: 'begin', part: 0 },
      { kind: 'end', part: 0, code: 0, output: 'done' },
      { kind: 'begin', part: 1 },
      { kind: 'end', part: 1, code: 0, output: 'x\n' },
    ]);
    expect(stream.gathered).to.equal('g');
    expect(JSON.stringify(events) + stream.other).to.not.include('@@provision');
  });

  it('a failing task without a newline: its stderr marker is seen, its stderr told', () => {
    const { events, stream } = run([{ changes: [change('printf out; printf err >&2; exit 4')] }]);
    expect(events.at(-1)).to.deep.equal({ kind: 'end', part: 0, code: 4, output: 'out' });
    expect(stream.stderr(0)).to.equal('err');
  });

  for (const [name, forged] of [
    ['a part out of range', 'begin 999'],
    ['a part out of turn', 'begin 1'],
    ['an end without its begin', 'end 0 0'],
    ['an unknown kind', 'launch 0'],
    ['an end with a code that is no number', 'end 0 zero'],
  ] as const) {
    it(`${name} (${forged}) stops the reading with a problem naming it, never the nonce, and throws nothing`, () => {
      const { stream, mark } = parserOf(2);
      const events: ApplyStreamEvent[] = [];
      stream.feed(`\n${mark}-dir /tmp/x\n\n${mark}-${forged}\nafter\n\n${mark}-begin 0\n`, (e) => events.push(e));
      stream.end();
      expect(stream.problem?.message).to.equal(
        `node answered something provision cannot read: the apply script's stream: marker "${forged}" does not follow the script's order`,
      );
      expect(stream.problem?.message).to.not.include(mark);
      // Nothing after the problem is read as a marker.
      expect(events).to.deep.equal([]);
    });
  }

  it('a 48 MB line of task output: linear (under 3 s here), only its 64 KiB tail kept with the count dropped', () => {
    const { stream, mark } = parserOf(1);
    const events: ApplyStreamEvent[] = [];
    const start = Date.now();
    const chunk = 'y'.repeat(65536);
    stream.feed(`\n${mark}-dir /tmp/x\n\n${mark}-begin 0\n`, (e) => events.push(e));
    for (let i = 0; i < 768; i++) stream.feed(chunk, (e) => events.push(e));
    stream.feed(`z\n\n${mark}-end 0 0\n`, (e) => events.push(e));
    expect(Date.now() - start).to.be.below(3000);
    const end = events.at(-1) as Extract<ApplyStreamEvent, { kind: 'end' }>;
    expect(end.output).to.match(/^\[50266114 characters dropped\]\ny+z$/);
    expect(end.output.length).to.be.below(65536 + 40);
  });

  it('a gather answer past 64 MiB is not kept (gathered again, where the transport refuses it)', () => {
    const { stream, mark } = parserOf(1);
    const noop = () => {};
    stream.feed(`\n${mark}-dir /tmp/x\n\n${mark}-begin 0\n\n${mark}-end 0 0\n\n${mark}-gathered\n`, noop);
    const mib = 'g'.repeat(1024 * 1024);
    for (let i = 0; i < 65; i++) stream.feed(mib, noop);
    stream.end();
    expect(stream.gathered).to.equal(undefined);
    expect(stream.gatheredTooLarge).to.equal(true);
  });
});
