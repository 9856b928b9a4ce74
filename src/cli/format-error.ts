import { maskText } from '../core/secrets.js';
import { ErrorList, ProvisionError } from '../core/errors.js';
import { formatGroup, groupByMessage } from './reporters/group-by-message.js';

/** The one place where errors become text for people. */
export function formatError(error: unknown, opts: { debug?: boolean } = {}): string {
  return maskText(formatUnmasked(error, opts));
}

function formatUnmasked(error: unknown, opts: { debug?: boolean }): string {
  if (error instanceof ErrorList) return formatErrorList(error, opts);
  if (!(error instanceof ProvisionError)) {
    const e = error as Error;
    return `internal error: ${e?.message ?? String(error)}${opts.debug && e?.stack ? `\n${e.stack}` : ''}`;
  }
  return `error: ${context(error, true)}${error.message}${cause(error, opts)}`;
}

function context(error: ProvisionError, withHost: boolean): string {
  const where = [withHost && error.host && `host ${error.host}`, error.role && `role ${error.role}`, error.task && `task "${error.task}"`].filter(Boolean);
  return (where.length ? `[${where.join(', ')}] ` : '') + (error.location ? `${error.location}: ` : '');
}

const cause = (error: ProvisionError, opts: { debug?: boolean }) => (error.cause instanceof Error && opts.debug ? `\n  caused by: ${error.cause.message}` : '');

/** Errors that differ only by host are printed once, with their count and first hosts. */
function formatErrorList(list: ErrorList, opts: { debug?: boolean }): string {
  const flat = list.errors.flatMap((e) => (e instanceof ErrorList ? e.errors : [e]));
  const groups = groupByMessage(flat.map((e) => ({ host: e.host, message: `${context(e, false)}${e.message}${cause(e, opts)}` })));
  return groups.map((g) => `error: ${formatGroup(g)}`).join('\n');
}
