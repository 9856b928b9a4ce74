import { chmodSync, closeSync, openSync, writeFileSync, writeSync } from 'node:fs';

/**
 * Every report file (`--report`, `--report-html`, `report --html`) holds hosts, paths, errors and
 * diffs: readable by its owner only (0600), also when the file existed with a wider mode.
 */
export function writeReportFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** writeReportFile for a report made of pieces, written one after another (a report too large for one string). */
export function writeReportChunks(file: string, chunks: Iterable<string>): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    for (const chunk of chunks) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
}
