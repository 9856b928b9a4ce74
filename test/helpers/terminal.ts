import { spawnSync } from 'node:child_process';
import * as xtermModule from '@xterm/headless';

// A CommonJS package: its exports arrive as named or as default depending on the loader.
const xterm = ((xtermModule as { default?: typeof xtermModule }).default ?? xtermModule) as typeof xtermModule;

/**
 * Runs the real CLI under a real pseudo-terminal (`script -q`) of the given size and returns
 * what it wrote, escape sequences and all.
 */
export function runInPty(args: string[], opts: { cols: number; rows: number; env?: Record<string, string> }): { code: number; raw: string } {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const cmd = `stty cols ${opts.cols} rows ${opts.rows}; exec ${q(process.execPath)} --import tsx src/cli/main.ts ${args.map(q).join(' ')}`;
  const r = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], {
    encoding: 'utf8',
    env: { ...process.env, ...opts.env, CI: '', TERM: 'xterm-256color' },
    timeout: 600_000,
  });
  return { code: r.status ?? -1, raw: r.stdout };
}

/** Replays output through a terminal emulator: the lines the terminal holds afterwards (scrollback included). */
export async function replay(raw: string, cols: number, rows: number): Promise<string[]> {
  const term = new xterm.Terminal({ cols, rows, scrollback: 100_000, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(raw.replace(/\r?\n/g, '\r\n'), resolve));
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  term.dispose();
  return lines;
}
