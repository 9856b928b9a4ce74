import { expect } from 'chai';
import fc from 'fast-check';
import { taskFacts } from '../../../src/apply/task-facts.js';
import { loadedRuntimes } from '../../../src/checks/containerd-runtimes.js';
import { FrozenMemo, TextMemo } from '../../../src/core/frozen-memo.js';
import { verificationFor } from '../../../src/rollout/verification.js';
import type { FactsContext } from '../../../src/apply/task-facts.js';
import { prepareHosts } from '../../helpers/roles.js';

/** What the controller derives per host from a plan class's shared values is made once, and afresh whenever an input changes. */
describe('memos of what hosts of a plan class share', () => {
  it('FrozenMemo: the same frozen value and inputs give the made value; any other input or value makes it afresh (property)', () => {
    const memo = new FrozenMemo<object>();
    const shared = [Object.freeze({ a: 1 }), Object.freeze({ a: 1 })];
    const made = new Map<string, object>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), fc.record({ x: fc.integer({ min: 0, max: 2 }), y: fc.constantFrom('p', 'q') }), (which, inputs) => {
        const key = `${which}/${inputs.x}/${inputs.y}`;
        const got = memo.get(shared[which]!, inputs, () => ({ key }));
        expect(got).to.deep.equal({ key });
        // One value per distinct (frozen object, inputs): never another key's.
        if (made.has(key)) expect(got).to.equal(made.get(key));
        made.set(key, got);
      }),
    );
    // An extra input is a different context, not the same one.
    expect(memo.get(shared[0]!, { x: 0, y: 'p', z: undefined }, () => ({ key: 'more' }))).to.deep.equal({ key: 'more' });
  });

  it('FrozenMemo: a value that is not frozen may change, so it is never memoized', () => {
    const memo = new FrozenMemo<number>();
    const args = { a: 1 };
    let made = 0;
    memo.get(args, {}, () => ++made);
    args.a = 2;
    expect(memo.get(args, {}, () => ++made)).to.equal(2);
  });

  it('TextMemo: each text gets its own result, also after older ones are dropped; results are frozen', () => {
    const memo = new TextMemo<{ text: string }>(2);
    let made = 0;
    const parse = (text: string) => {
      made++;
      return { text };
    };
    for (const text of ['a', 'b', 'a', 'c', 'a', 'b']) expect(memo.get(text, parse)).to.deep.equal({ text });
    expect(Object.isFrozen(memo.get('a', parse))).to.equal(true);
    expect(made).to.be.lessThan(6);
  });

  const ctx: FactsContext = { check: false, diff: false, backupDir: '/var/backups/provision/r1' };
  const hosts = () => prepareHosts({ a: {}, b: {}, c: { containerd_bin_dir: '/opt/containerd/bin' } }, ['install-containerd']);
  const tasksOf = (h: ReturnType<typeof hosts>[number]) => h.roles.flatMap((r) => r.tasks);

  it("taskFacts: hosts of a class share their tasks' facts; another context or another argument gets its own", () => {
    const [a, b, c] = hosts();
    const [ta, tb, tc] = [tasksOf(a!), tasksOf(b!), tasksOf(c!)];
    expect(ta.length).to.be.greaterThan(3);
    ta.forEach((t, i) => {
      const facts = taskFacts(t, ctx);
      expect(taskFacts(tb[i]!, ctx)).to.equal(facts);
      // The preflight's context (check mode, no backups) is another context: made for it, equal to a fresh make.
      const check = { ...ctx, check: true, backupDir: '/nonexistent' };
      expect(taskFacts(t, check)).to.not.equal(facts);
      expect(keys(taskFacts(t, check))).to.deep.equal(keys(taskFacts({ ...t, args: { ...t.args } }, check)));
    });
    // Every field of the context, and the task's content, is part of the key.
    const t = ta.find((x) => x.content !== undefined)!;
    const facts = taskFacts(t, ctx);
    const variants: Partial<FactsContext>[] = [
      { check: true },
      { diff: true },
      { backupDir: '/b' },
      { unitFilesChanged: true },
      { verifyContent: true },
      { timeLimitS: 5 },
    ];
    for (const v of variants) expect(taskFacts(t, { ...ctx, ...v }), JSON.stringify(v)).to.not.equal(facts);
    expect(taskFacts({ ...t, content: `${t.content}more` }, ctx)).to.not.equal(facts);
    expect(taskFacts(t, { ...ctx })).to.equal(facts);
    // containerd_bin_dir is read by the tasks that install containerd: host c's facts are its own, with its paths.
    const differ = tc.filter((t, i) => JSON.stringify(t.args) !== JSON.stringify(ta[i]!.args));
    expect(differ).to.not.be.empty;
    for (const t of differ) {
      const i = tc.indexOf(t);
      expect(keys(taskFacts(t, ctx))).to.deep.equal(keys(taskFacts({ ...t, args: { ...t.args } }, ctx)));
      expect(taskFacts(t, ctx)).to.not.equal(taskFacts(ta[i]!, ctx));
    }
  });

  it('verificationFor: one per plan; checks whose arguments differ get their own facts', () => {
    const [a, b, c] = hosts();
    const va = verificationFor(a!)!;
    expect(verificationFor(a!)).to.equal(va);
    expect(verificationFor(b!)!.facts).to.deep.equal(va.facts);
    const vc = verificationFor(c!)!;
    expect(vc.facts.map((f) => f.key).join('\n')).to.include('/opt/containerd/bin/containerd');
    expect(va.facts.map((f) => f.key).join('\n')).to.not.include('/opt/containerd/bin/containerd');
  });

  it('loadedRuntimes: another dump text is parsed afresh', () => {
    const dump = (handler: string) =>
      `version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${handler}]\nruntime_type = "io.containerd.runc.v2"\n`;
    expect(loadedRuntimes(dump('runc'))).to.deep.equal({ runc: 'io.containerd.runc.v2' });
    expect(loadedRuntimes(dump('crun'))).to.deep.equal({ crun: 'io.containerd.runc.v2' });
    expect(loadedRuntimes(dump('runc'))).to.deep.equal({ runc: 'io.containerd.runc.v2' });
    expect(Object.isFrozen(loadedRuntimes(dump('runc')))).to.equal(true);
  });
});

const keys = (facts: readonly { key: string }[]) => facts.map((f) => f.key);
