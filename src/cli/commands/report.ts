import { readFileSync } from 'node:fs';
import { writeReportFile } from '../reporters/report-file.js';
import { ValidationError } from '../../core/errors.js';
import { htmlReport } from '../reporters/html-report.js';
import { out } from '../terminal-text.js';

/** `provision report RUN.json --html FILE`: the run's JSON report as a page to look at. */
export function reportCommand(file: string, opts: { html?: string }): void {
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ValidationError(`cannot read the report ${file}: ${(e as Error).message}`, { file });
  }
  if (!report.summary || !Array.isArray(report.tasks)) throw new ValidationError(`${file} is not a provision --report file (no summary and tasks)`, { file });
  const html = htmlReport(report);
  if (opts.html) {
    writeReportFile(opts.html, html);
    out(`wrote ${opts.html} (${Math.round(html.length / 1024)} KiB)\n`);
  } else out(html);
}
