import { UsageError } from '../core/errors.js';

export type Serial = number | string | (number | string)[];

/**
 * Ansible's `serial`: a batch size, a percentage of the selected hosts (rounded down, at least 1),
 * or a list of either whose last value repeats. No serial means one batch of every host.
 */
export function batchesOf<T>(hosts: T[], serial: Serial | null | undefined): T[][] {
  if (serial === undefined || serial === null || serial === '') return hosts.length ? [hosts] : [];
  const steps = (Array.isArray(serial) ? serial : [serial]).map((s) => batchSize(s, hosts.length));
  if (steps.length === 0) throw new UsageError('serial must not be an empty list');
  const out: T[][] = [];
  for (let i = 0, step = 0; i < hosts.length; step++) {
    const size = steps[Math.min(step, steps.length - 1)]!;
    out.push(hosts.slice(i, i + size));
    i += size;
  }
  return out;
}

function batchSize(value: number | string, total: number): number {
  const text = String(value).trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (pct) return Math.max(1, Math.floor((Number(pct[1]) * total) / 100));
  if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
  throw new UsageError(`serial must be a positive number, a percentage such as "30%" or a list of them, got ${JSON.stringify(value)}`);
}

/** Ansible's max_fail_percentage: the rollout stops when failed/batch exceeds it, or every host of the batch failed. */
export function batchAborts(failed: number, size: number, maxFailPercentage: number | undefined): boolean {
  if (size > 0 && failed === size) return true;
  return maxFailPercentage !== undefined && (failed / size) * 100 > maxFailPercentage;
}
