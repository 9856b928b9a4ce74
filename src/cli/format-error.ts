import { maskUrlCredentials } from '../core/secrets.js';
import { ErrorList, ProvisionError } from '../core/errors.js';

/** The one place where errors become text for people. */
export function formatError(error: unknown, opts: { debug?: boolean } = {}): string {
  return maskUrlCredentials(formatUnmasked(error, opts));
}

function formatUnmasked(error: unknown, opts: { debug?: boolean }): string {
  if (error instanceof ErrorList) return error.errors.map((e) => formatUnmasked(e, opts)).join('\n');
  if (!(error instanceof ProvisionError)) {
    const e = error as Error;
    return `internal error: ${e?.message ?? String(error)}` + (opts.debug && e?.stack ? `\n${e.stack}` : '');
  }
  const where = [
    error.host && `host ${error.host}`,
    error.role && `role ${error.role}`,
    error.task && `task "${error.task}"`,
  ].filter(Boolean);
  const prefix = (where.length ? `[${where.join(', ')}] ` : '') + (error.location ? `${error.location}: ` : '');
  const cause = error.cause instanceof Error && opts.debug ? `\n  caused by: ${error.cause.message}` : '';
  return `error: ${prefix}${error.message}${cause}`;
}
