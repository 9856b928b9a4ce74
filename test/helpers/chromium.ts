import { spawnSync } from 'node:child_process';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--enable-logging=stderr', '--v=0'];

/**
 * Opens a file in a real headless chromium: the DOM after its scripts ran, and every console
 * message the page produced (uncaught errors included).
 */
export function openInChromium(file: string, opts: { screenshot?: string; size?: string } = {}): { dom: string; console: string[] } {
  const args = [...CHROMIUM_FLAGS, '--virtual-time-budget=5000'];
  if (opts.screenshot) args.push(`--screenshot=${opts.screenshot}`, `--window-size=${opts.size ?? '1280,900'}`, '--hide-scrollbars');
  else args.push('--dump-dom');
  const r = spawnSync('chromium', [...args, `file://${file}`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr}`);
  return { dom: r.stdout, console: r.stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l)) };
}
