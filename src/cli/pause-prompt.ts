import { createInterface } from 'node:readline';
import type { PauseAsk } from '../rollout/pause.js';
import { formatRecap } from './reporters/recap.js';

/**
 * How the CLI answers a pause (provision_pause_after, --step): --yes goes on; on a terminal the
 * operator sees the recap so far and answers y/N; without one the run stops cleanly, saying how to go on.
 */
export function pausePrompt(opts: {
  yes?: boolean;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream & { isTTY?: boolean };
}): PauseAsk {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stderr;
  return async ({ after, strategy, stats }) => {
    if (opts.yes) return { goOn: true, reason: '--yes' };
    if (!input.isTTY || !output.isTTY) return { goOn: false, reason: 'no terminal to ask; run again with --yes to go on without asking' };
    const what = strategy === 'window' ? `${after} hosts finished` : `wave ${after} finished`;
    output.write(`\n${formatRecap(stats)}${what}.\n`);
    const rl = createInterface({ input, output, terminal: true });
    const answer = await new Promise<string>((resolve) => rl.question('Go on with the rollout? [y/N] ', resolve));
    rl.close();
    const goOn = /^y(es)?$/i.test(answer.trim());
    return { goOn, reason: goOn ? 'answered yes' : `answered ${JSON.stringify(answer.trim() || 'no')}` };
  };
}
