import { chmodSync, writeFileSync } from 'node:fs';

/**
 * Every report file (`--report`, `--report-html`, `report --html`) holds hosts, paths, errors and
 * diffs: readable by its owner only (0600), also when the file existed with a wider mode.
 */
export function writeReportFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}
