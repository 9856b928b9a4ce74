import { expect } from 'chai';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatPreflightTable } from '../../../src/cli/commands/preflight.js';
import { formatError } from '../../../src/cli/format-error.js';
import { Interrupts } from '../../../src/cli/interrupt.js';
import { LiveView } from '../../../src/cli/reporters/live-view.js';
import { liveText } from '../../../src/cli/reporters/listr-reporter.js';
import { formatRecap } from '../../../src/cli/reporters/recap.js';
import { reporting } from '../../../src/cli/reporters/reporting.js';
import { err, escapeControls, hasControls, out } from '../../../src/cli/terminal-text.js';
import { ErrorList, InventoryError, TaskError } from '../../../src/core/errors.js';
import { emptyStats, type RunEvent } from '../../../src/core/events.js';

/** Every character a terminal acts on, besides \n and \t: what no writer may emit. */
const TERMINAL_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Strings as a hostile node or inventory sends them: escape sequences, C1, bidi overrides, among text. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom('\x1b[2J', '\x1b[H', '\x1b]0;owned\x07', '\x9b31m', '\r', '\b', '\x7f', '\u202e', '\u2066', '\x00', '\n', '\t', 'ok', ' '),
      fc.integer({ min: 0, max: 0x2100 }).map((c) => String.fromCharCode(c)),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** Runs `fn` with process.stdout and process.stderr captured: what the CLI's writers really write. */
async function captured(fn: () => void | Promise<void>): Promise<string> {
  let text = '';
  const saved = [process.stdout.write, process.stderr.write];
  const capture = (chunk: unknown) => {
    text += String(chunk);
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    [process.stdout.write, process.stderr.write] = saved as [typeof process.stdout.write, typeof process.stderr.write];
  }
  return text;
}

/** A run's events with `s` in every field a node or an inventory can fill. */
function events(s: string): RunEvent[] {
  const stats = { ...emptyStats(), failed: 1 };
  return [
    { type: 'wave-start', index: 1, of: 1, hosts: [s] },
    { type: 'host-start', host: s },
    { type: 'task-start', host: s, role: s, task: s, handler: false },
    {
      type: 'task-result',
      host: s,
      role: s,
      task: s,
      handler: false,
      status: 'changed',
      changes: [s],
      diffs: [{ path: `/etc/${s}`, before: s, after: `${s}\n${s}` }],
    },
    { type: 'task-result', host: s, role: s, task: s, handler: true, status: 'failed', changes: [], error: s },
    { type: 'task-result', host: s, role: s, task: s, handler: false, status: 'unknown', changes: [], error: s },
    { type: 'task-result', host: s, role: s, task: s, handler: false, status: 'skipped', changes: [], reason: s },
    { type: 'host-unreachable', host: `${s}2`, error: s },
    { type: 'host-end', host: s, stats },
  ] as RunEvent[];
}

describe('the terminal shows text, never commands', function () {
  this.timeout(120_000);

  it('escapeControls leaves text without control characters as it is, and leaves none in any text', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const shown = escapeControls(s);
        expect(TERMINAL_CONTROL.test(shown), JSON.stringify(shown)).to.equal(false);
        expect(hasControls(s)).to.equal(TERMINAL_CONTROL.test(s));
        if (!TERMINAL_CONTROL.test(s)) expect(shown).to.equal(s);
      }),
      { numRuns: 500 },
    );
    expect(escapeControls('a\x1b[2Jb\u009bc\u202ed\n\te')).to.equal('a\\x1b[2Jb\\u009bc\\u202ed\n\te');
    // DEL, C1 and bidi escapes are JSON escapes: inside a JSON string they read back as the same character.
    expect(JSON.parse(escapeControls(JSON.stringify('x\x7f\u009b\u202e\x1b')))).to.equal('x\x7f\u009b\u202e\x1b');
  });

  it('no writer (plain lines, diffs, recap, outcome, live view, preflight table, errors, interrupts) emits one', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (s) => {
        const text = await captured(async () => {
          const progress = await reporting([s], { progress: 'plain', verbose: true, diff: true });
          for (const e of events(s)) progress.listener(e);
          await progress.finish();
          out(`\n${formatRecap({ [s]: { ...emptyStats(), failed: 1 } }, [`${s}3`])}${progress.outcome()}`);
          out(
            formatPreflightTable([
              { host: s, docker: s, kubelet: s, criDockerd: true, result: 'refused', problems: [s], notes: [s] },
              { host: 'w1', docker: '24.0', kubelet: '1.29', criDockerd: false, result: 'ok', problems: [], notes: [] },
            ]),
          );
          err(`${formatError(new TaskError(s, { host: s, role: s, task: s }))}\n`);
          err(`${formatError(new ErrorList([new InventoryError(s, { file: s, line: 1, col: 2 }), new InventoryError(s, { host: s })]))}\n`);
          err(`${formatError(new Error(s))}\n`);
          const interrupts = new Interrupts(err, () => {});
          interrupts.listener({ type: 'host-start', host: s });
          interrupts.onSignal();
          interrupts.onSignal();
        });
        const view = new LiveView(2);
        for (const e of events(s).slice(0, 3)) view.update(e);
        const all = text + liveText(view, 20);
        expect(TERMINAL_CONTROL.test(all), JSON.stringify(all)).to.equal(false);
      }),
      { numRuns: 150 },
    );
  });

  it('the preflight table stays aligned when a node sends escapes', () => {
    const table = formatPreflightTable([
      { host: 'w1', docker: '\x1b[2J24.0', kubelet: '1.29', criDockerd: false, result: 'ok', problems: [], notes: [] },
      { host: 'w2', docker: '24.0', kubelet: '1.29', criDockerd: false, result: 'ok', problems: [], notes: [] },
    ]);
    const columns = table
      .split('\n')
      .slice(1, 3)
      .map((l) => l.indexOf('1.29'));
    expect(columns[0]).to.equal(columns[1]);
  });

  it('nothing in src/ writes to stdout or stderr but through src/cli/terminal-text.ts', () => {
    // prompt.ts echoes what the operator types at a password prompt (muted); cli-settings.ts warns with a fixed text
    // and the path of the ansible.cfg the operator chose.
    const allowed = new Set(['src/cli/terminal-text.ts', 'src/cli/prompt.ts', 'src/config/cli-settings.ts']);
    const writers: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !allowed.has(path) && /process\.std(out|err)\.write|console\.(log|error|warn|info)/.test(readFileSync(path, 'utf8')))
          writers.push(path);
      }
    };
    walk('src');
    expect(writers).to.deep.equal([]);
  });
});
