import { Listr } from 'listr2';
import { emptyStats, type Listener, type RunEvent } from '../../core/events.js';

/**
 * listr2 progress: one line per host with the role and task it is on, then its totals. One
 * line per host (not per task) keeps a large concurrent run inside the terminal.
 */
export function listrReporter(hosts: string[]): { listener: Listener; done: Promise<void>; finish(): void } {
  const waiters = new Map<string, { title: (t: string) => void; end: (failed: boolean) => void }>();
  const pending = new Map<string, RunEvent[]>();
  const ended = new Set<string>();
  const apply = (e: RunEvent) => {
    if (e.type === 'batch-start' || ended.has(e.host)) return;
    const w = waiters.get(e.host);
    if (!w) return void pending.set(e.host, [...(pending.get(e.host) ?? []), e]);
    if (e.type === 'task-start') w.title(`${e.host}: ${e.role} › ${e.task}${e.handler ? ' (handler)' : ''}`);
    if (e.type === 'host-unreachable') w.title(`${e.host}: unreachable`);
    if (e.type === 'host-end') {
      ended.add(e.host);
      if (e.notStarted) return void (w.title(`${e.host}: not started`), w.end(false));
      const s = e.stats;
      w.title(`${e.host}: ok=${s.ok} changed=${s.changed} failed=${s.failed} skipped=${s.skipped}${s.unreachable ? ' unreachable' : ''}`);
      w.end(s.failed > 0 || s.unreachable > 0);
    }
  };
  const list = new Listr(
    hosts.map((host) => ({
      title: `${host}: waiting`,
      task: (_: unknown, task: { title: string }) =>
        new Promise<void>((resolve, reject) => {
          waiters.set(host, {
            title: (t) => (task.title = t),
            end: (failed) => (failed ? reject(new Error(task.title)) : resolve()),
          });
          for (const e of pending.get(host) ?? []) apply(e);
        }),
    })),
    { concurrent: true, exitOnError: false, renderer: 'default', rendererOptions: { collapseErrors: true } },
  );
  const done = list.run().then(() => undefined, () => undefined);
  return {
    listener: apply,
    done,
    // Hosts that never started (interrupted) still close their line.
    finish: () => {
      for (const h of hosts) apply({ type: 'host-end', host: h, stats: emptyStats(), notStarted: true });
    },
  };
}
