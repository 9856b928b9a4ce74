import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { downloadFact, writeDownloadReceipt } from '../facts/download-receipt.js';
import { maskUrlCredentials } from '../core/secrets.js';
import { failWith, q } from '../transport/shell.js';
import { urlFetchScript } from '../transport/url-fetch.js';
import { atomicWriteScript } from './atomic-write.js';
import { attributeChanges, writtenState } from './file-attributes.js';
import { PlanError } from '../core/errors.js';
import { type Args, defineTaskType, ownerArgs } from './task-type.js';

/** A whole release archive on a slow mirror still fits; a stalled transfer does not hang the run. */
const DOWNLOAD_MAX_TIME_S = 1800;

/** curl's own --max-time, within the task's time limit: curl reports a slow mirror before the limit ends the task. */
const fetchTimeWithin = (limitS?: number) => (limitS ? Math.max(10, Math.min(DOWNLOAD_MAX_TIME_S, limitS - 15)) : DOWNLOAD_MAX_TIME_S);
const pinned = (args: Args) => (typeof args.sha256 === 'string' && args.sha256.trim() ? args.sha256.trim().toLowerCase() : undefined);
const fact = (args: Args, deep = false) => downloadFact(String(args.url), String(args.dest), pinned(args) ? undefined : String(args.checksum_url), deep);

/**
 * A file fetched by URL on the node and checked against a sha256: pinned, or read from the
 * checksum file published beside the artifact (sha256sum format). Skipped when dest already has it.
 * Each download leaves a receipt (see downloadFact): re-runs decide by stat, without reading the
 * file or fetching the checksum file again, unless the file changed or --verify-content is given.
 */
export const downloadTask = defineTaskType({
  name: 'download',
  doc: 'a file fetched by URL and checked by sha256; skipped when dest already has that checksum',
  args: {
    url: { type: 'string', required: true, doc: 'where to fetch it' },
    dest: { type: 'string', required: true, doc: 'absolute path on the node' },
    sha256: { type: 'string', doc: 'expected checksum; empty means read it from checksum_url' },
    checksum_url: { type: 'string', doc: 'a sha256sum-style file published beside the artifact' },
    ...ownerArgs,
  },
  oneOf: ['sha256', 'checksum_url'],
  facts: (args, ctx) => [fact(args, ctx.verifyContent)],
  plan(args, facts, ctx) {
    const url = String(args.url);
    const shown = maskUrlCredentials(url);
    const dest = String(args.dest);
    const checksumUrl = pinned(args) ? undefined : String(args.checksum_url);
    const download = factValue(facts, fact(args, ctx.verifyContent));
    const expected = pinned(args) ?? checksumFromFile(download.checksum ?? { ok: false, text: 'not fetched' }, String(checksumUrl), url);
    if (!/^[0-9a-f]{64}$/.test(expected)) throw new PlanError(`sha256 "${expected}" for ${shown} is not 64 hex digits`);
    const state = download.dest;
    if (state.exists && state.sha256 === expected) {
      const attrs = attributeChanges(dest, state, args);
      const how = download.quick ? ' (quick check against the receipt)' : '';
      return attrs.length ? changes(...attrs) : noop(`${dest} already has sha256 ${expected.slice(0, 12)}${how}`);
    }
    const fill = [
      `{\n${urlFetchScript(url, { out: '"$tmp"', maxTime: fetchTimeWithin(ctx.timeLimitS), retries: 3 })}\n} || ${failWith(`download failed: ${shown}`)}`,
      `got=$(sha256sum < "$tmp" | cut -d' ' -f1)`,
      `[ "$got" = ${q(expected)} ] || ${failWith(`checksum mismatch for ${shown}: expected ${expected}, got `, '"$got"')}`,
    ].join('\n');
    return changes({
      what: `${state.exists ? 'replace' : 'download'} ${dest} from ${shown} (sha256 ${expected.slice(0, 12)})`,
      script: `${atomicWriteScript({ dest, state, args, backupDir: ctx.backupDir, fill })}\n${writeDownloadReceipt(url, dest, checksumUrl, expected, download.checksum?.text)}`,
      predict: [writtenState(dest, state, args, { sha256: expected })],
    });
  },
});

/** The hash for `url`'s file name in a sha256sum-style file (`<hash>  <name>` or `<hash> *<name>`). */
function checksumFromFile(fetched: { ok: boolean; text: string }, checksumUrl: string, url: string): string {
  if (!fetched.ok) throw new PlanError(`cannot fetch checksum file ${maskUrlCredentials(checksumUrl)}: ${fetched.text.trim().split('\n').pop()}`);
  const name = url.slice(url.lastIndexOf('/') + 1);
  const lines = fetched.text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const line of lines) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+)$/.exec(line);
    if (m && (m[2] === name || m[2]!.endsWith(`/${name}`))) return m[1]!.toLowerCase();
  }
  // A checksum file holding only the hash (no file name) is for the one artifact beside it.
  if (lines.length === 1 && /^[0-9a-fA-F]{64}$/.test(lines[0]!)) return lines[0]!.toLowerCase();
  throw new PlanError(`checksum file ${maskUrlCredentials(checksumUrl)} has no line for ${name}`);
}
