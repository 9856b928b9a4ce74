/**
 * How hosts are started: `waves` (Ansible's serial: a wave starts when the one before it ended)
 * or `window` (at most `width` hosts in flight, the next starting as soon as any finishes). Both
 * start hosts in the inventory's order. Pure of I/O: the rollout gives what runs a host, what
 * stops new starts (the failure budget, an interrupt) and what is checked between (gates, pauses).
 */
export type Strategy = 'waves' | 'window';

export const STRATEGIES: readonly Strategy[] = ['waves', 'window'];

export interface Schedule<T> {
  strategy: Strategy;
  /** The waves (for `window`, their hosts in order are what counts). */
  waves: T[][];
  /** Hosts in flight at most. */
  width: number;
  run(item: T): Promise<void>;
  /** A reason to start nothing new (budget spent, interrupted), asked before every start. */
  halt(): string | undefined;
  /** After a wave (window: after each host) ends: a reason to stop (a gate failed, a pause declined). */
  after(items: T[], index: number): Promise<string | undefined>;
  waveStart?(index: number, of: number, items: T[]): void;
}

export interface Scheduled<T> {
  notStarted: { item: T; reason: string }[];
  /** What stopped the rollout, if anything did. */
  stopped?: string;
}

export async function runSchedule<T>(s: Schedule<T>): Promise<Scheduled<T>> {
  const notStarted: { item: T; reason: string }[] = [];
  let stopped: string | undefined;
  // The checks after a host are made one at a time, and no host starts while one is under way:
  // a gate that fails stops the rollout before the next host starts.
  let checking: Promise<void> = Promise.resolve();
  const pool = async (items: T[], afterEach?: (item: T) => Promise<string | undefined>) => {
    // An index, not shift(): shifting a 10,000-host array moves what is left of it at every start.
    let next = 0;
    const worker = async () => {
      for (let item = items[next++]; item !== undefined; item = items[next++]) {
        await checking;
        const why = stopped ?? s.halt();
        if (why) {
          notStarted.push({ item, reason: why });
          continue;
        }
        await s.run(item);
        if (!afterEach) continue;
        checking = checking.then(async () => {
          stopped ??= await afterEach(item);
        });
        await checking;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(s.width, items.length)) }, worker));
  };

  if (s.strategy === 'window') {
    let finished = 0;
    await pool(s.waves.flat(), (item) => s.after([item], ++finished));
    return { notStarted, ...(stopped ? { stopped } : {}) };
  }
  for (const [index, wave] of s.waves.entries()) {
    const why = stopped ?? s.halt();
    if (why) {
      notStarted.push(...wave.map((item) => ({ item, reason: why })));
      continue;
    }
    s.waveStart?.(index + 1, s.waves.length, wave);
    await pool(wave);
    stopped ??= await s.after(wave, index + 1);
  }
  return { notStarted, ...(stopped ? { stopped } : {}) };
}
