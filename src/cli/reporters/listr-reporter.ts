import { Listr } from 'listr2';
import type { Listener } from '../../core/events.js';
import { LiveView } from './live-view.js';
import { shownText } from '../terminal-text.js';

/** Lines the header, listr2's own marks and the shell prompt take besides the running hosts. */
const RESERVED_ROWS = 4;
const REFRESH_MS = 100;

/** The live view's title. listr2 writes it to the terminal itself, so it is shown as text here. */
export function liveText(view: LiveView, rows: number): string {
  return shownText([view.header(), ...view.runningLines(Math.max(1, rows - RESERVED_ROWS))].join('\n'));
}

/**
 * listr2 progress: one header line (wave, counts, elapsed, time left) and one line per running
 * host (role > task), never taller than the terminal. Finished hosts fold into the counts.
 */
export function listrReporter(hosts: string[], rows: () => number = () => process.stdout.rows || 24) {
  const view = new LiveView(hosts.length);
  let setTitle: (t: string) => void = () => {};
  let close: () => void = () => {};
  const text = () => liveText(view, rows());
  let dirty = true;
  const list = new Listr(
    [
      {
        title: text(),
        task: (_: unknown, task: { title: string }) =>
          new Promise<void>((resolve) => {
            setTitle = (t) => (task.title = t);
            close = resolve;
          }),
      },
    ],
    // listr2's own SIGINT handler would end the process at the first Ctrl-C (exit 127): the CLI
    // lets running tasks finish at the first and aborts at the second (src/cli/interrupt.ts).
    { renderer: 'default', exitOnError: false, registerSignalListeners: false },
  );
  // Titles are rebuilt on a timer, not per event: the cost of an event stays constant.
  const timer = setInterval(() => {
    if (dirty) setTitle(text());
    dirty = false;
  }, REFRESH_MS);
  const done = list.run().then(
    () => undefined,
    () => undefined,
  );
  const listener: Listener = (e) => {
    view.update(e);
    dirty = true;
  };
  return {
    listener,
    view,
    done,
    finish: () => {
      clearInterval(timer);
      setTitle(shownText(view.header()));
      close();
    },
  };
}
