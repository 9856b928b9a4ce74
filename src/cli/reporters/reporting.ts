import { maskSecrets } from '../../core/secrets.js';
import type { Listener } from '../../core/events.js';
import { JsonReport } from './json-report.js';
import { listrReporter } from './listr-reporter.js';
import { deferredDetails, plainReporter } from './plain-reporter.js';

/** The subscribers of a run: JSON report, listr2 on a terminal (else plain lines), details. */
export function reporting(hosts: string[], opts: { progress?: 'auto' | 'listr' | 'plain'; verbose?: boolean }) {
  const report = new JsonReport();
  const useListr = opts.progress === 'listr' || (opts.progress !== 'plain' && process.stdout.isTTY && !process.env.CI);
  const progress = useListr ? listrReporter(hosts) : undefined;
  const deferred = progress ? deferredDetails() : undefined;
  const details: Listener = deferred?.listener ?? plainReporter((line) => process.stdout.write(line), { verbose: opts.verbose });
  const listener: Listener = (event) => {
    const e = maskSecrets(event);
    report.listener(e);
    progress?.listener(e);
    details(e);
  };
  return {
    report,
    listener,
    /** Closes the progress display and prints the details it held back. */
    async finish(): Promise<void> {
      if (!progress) return;
      progress.finish();
      await progress.done;
      deferred?.flush((text) => process.stdout.write(text));
    },
  };
}
