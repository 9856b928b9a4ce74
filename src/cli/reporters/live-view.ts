import type { RunEvent } from '../../core/events.js';

/**
 * What the live view knows: counts of finished hosts, the running hosts and what each is on, the
 * wave and the times. Finished hosts fold into counts, so memory and the work per event stay
 * the same whether 10 or 10,000 hosts have finished.
 */
export class LiveView {
  private readonly started: number;
  private wave: { index: number; of: number; startedAt: number };
  private readonly waveDurations: number[] = [];
  private readonly running = new Map<string, string>();
  readonly counts = { done: 0, failed: 0, unreachable: 0 };
  private finished = 0;
  private window?: number;
  /** The last gate checked and the last pause, shown in the header until the next. */
  private lastGate?: string;

  constructor(
    readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.wave = { index: 1, of: 1, startedAt: this.started };
  }

  update(e: RunEvent): void {
    switch (e.type) {
      case 'wave-start': {
        const t = this.now();
        if (e.index > 1) this.waveDurations.push(t - this.wave.startedAt);
        this.wave = { index: e.index, of: e.of, startedAt: t };
        break;
      }
      case 'window-start':
        this.window = e.width;
        break;
      case 'gate':
        this.lastGate = `gate ${e.name} ${e.passed ? 'passed' : 'FAILED'}`;
        break;
      case 'pause':
        this.lastGate = `paused after ${e.after}: ${e.goOn ? 'going on' : 'stopped'}`;
        break;
      case 'host-start':
        this.running.set(e.host, 'starting');
        break;
      case 'task-start':
        if (this.running.has(e.host)) this.running.set(e.host, `${e.role} > ${e.task}${e.handler ? ' (handler)' : ''}`);
        break;
      case 'task-result':
        if (e.status === 'unknown' && this.running.has(e.host)) this.running.set(e.host, `${e.role} > ${e.task}: outcome unknown`);
        break;
      case 'host-unreachable':
        if (this.running.has(e.host)) this.running.set(e.host, 'unreachable');
        break;
      case 'host-end': {
        this.running.delete(e.host);
        if (e.notStarted) break;
        this.finished++;
        if (e.stats.unreachable) this.counts.unreachable++;
        else if (e.stats.failed) this.counts.failed++;
        else this.counts.done++;
        break;
      }
      default:
        break;
    }
  }

  /** Time left, from the waves finished so far (else from the hosts finished so far), in ms. */
  eta(): number | undefined {
    const elapsed = this.now() - this.started;
    const { index, of, startedAt } = this.wave;
    if (of > 1 && this.waveDurations.length) {
      const mean = this.waveDurations.reduce((a, b) => a + b, 0) / this.waveDurations.length;
      return Math.max(0, mean - (this.now() - startedAt)) + mean * (of - index);
    }
    if (this.finished === 0) return undefined;
    return (elapsed / this.finished) * (this.total - this.finished);
  }

  header(): string {
    const c = this.counts;
    const eta = this.eta();
    return [
      this.window ? `window of ${this.window}` : this.wave.of > 1 ? `wave ${this.wave.index}/${this.wave.of}` : undefined,
      `${c.done} done, ${this.running.size} running, ${c.failed} failed, ${c.unreachable} unreachable of ${this.total} hosts`,
      `elapsed ${duration(this.now() - this.started)}`,
      eta === undefined ? undefined : `about ${duration(eta)} left`,
      this.lastGate,
    ]
      .filter(Boolean)
      .join(' | ');
  }

  /** One line per running host, at most `max` of them (then how many more). */
  runningLines(max: number): string[] {
    const all = [...this.running].map(([host, what]) => `${host}: ${what}`);
    if (all.length <= max) return all;
    const shown = all.slice(0, Math.max(0, max - 1));
    return [...shown, `... and ${all.length - shown.length} more running`];
  }
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
