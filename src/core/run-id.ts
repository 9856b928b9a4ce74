import { randomBytes } from 'node:crypto';

/** A sortable, unique id for a run (20261122T104800Z-1a2b3c); it also names the run's backup directory on each node. */
export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** Only a run id may name a backup directory: it is joined to a path on every node. */
export const isRunId = (text: string) => /^\d{8}T\d{6}Z-[0-9a-f]{6}$/.test(text);
