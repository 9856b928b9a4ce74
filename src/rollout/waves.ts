import { UsageError } from '../core/errors.js';

export type Serial = number | string | (number | string)[];

/**
 * Ansible's `serial`: a wave size, a percentage of the selected hosts (rounded down, at least 1),
 * or a list of either whose last value repeats. No serial means one wave of every host.
 */
export function wavesOf<T>(hosts: T[], serial: Serial | null | undefined): T[][] {
  if (serial === undefined || serial === null || serial === '') return hosts.length ? [hosts] : [];
  const steps = (Array.isArray(serial) ? serial : [serial]).map((s) => waveSize(s, hosts.length));
  if (steps.length === 0) throw new UsageError('serial must not be an empty list');
  const out: T[][] = [];
  for (let i = 0, step = 0; i < hosts.length; step++) {
    const size = steps[Math.min(step, steps.length - 1)]!;
    out.push(hosts.slice(i, i + size));
    i += size;
  }
  return out;
}

/**
 * The `window` strategy's width: at most this many hosts in flight. One number or percentage (a
 * list has no meaning for a window that never ends a wave); unset: every host at once.
 */
export function windowWidth(total: number, serial: Serial | null | undefined): number {
  if (serial === undefined || serial === null || serial === '') return Math.max(1, total);
  const values = Array.isArray(serial) ? serial : [serial];
  if (values.length !== 1) {
    throw new UsageError(`provision_strategy window takes one provision_serial (a number or a percentage), got ${JSON.stringify(serial)}`);
  }
  return waveSize(values[0]!, total);
}

function waveSize(value: number | string, total: number): number {
  const text = String(value).trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (pct) return Math.max(1, Math.floor((Number(pct[1]) * total) / 100));
  if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
  throw new UsageError(`serial must be a positive number, a percentage such as "30%" or a list of them, got ${JSON.stringify(value)}`);
}
