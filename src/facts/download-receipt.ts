import { createHash } from 'node:crypto';
import { factOnce, memoKey } from './fact-memo.js';
import { QUICK_CHECK_STAT, RECEIPT_ROOT } from '../core/constants.js';
import { q } from '../transport/shell.js';
import { urlFetchScript } from '../transport/url-fetch.js';
import type { Fact } from './fact.js';
import { PATH_STAT_FORMAT, type PathState, pathFact } from './path.js';

export interface DownloadState {
  /** The downloaded file: stat, and its sha256 (from the receipt when `quick`, else read). */
  dest: PathState;
  /** The checksum file's text: kept in the receipt when `quick`, else fetched. */
  checksum?: { ok: boolean; text: string };
  /** Decided by the receipt (stat only): no content read, no checksum file fetched. */
  quick: boolean;
}

/** The quick check's stat (QUICK_CHECK_STAT). */
const STAT = `stat -c '${QUICK_CHECK_STAT}' --`;
/** The same, then `|` and the file's state as pathFact prints it. */
const STAT_AND_STATE = `stat -c '${QUICK_CHECK_STAT}|${PATH_STAT_FORMAT}' --`;

/** One receipt per (url, checksum file, dest): a changed URL or version never trusts an old one. */
export function downloadReceiptPath(url: string, dest: string, checksumUrl?: string): string {
  const id = createHash('sha256')
    .update(JSON.stringify([url, dest, checksumUrl ?? null]))
    .digest('hex')
    .slice(0, 32);
  return `${RECEIPT_ROOT}/download-${id}`;
}

/**
 * A downloaded file and the checksum it must have. Quick check first, as unarchive's: when the
 * receipt written by the last download exists and the file's size, mtime and inode are those it
 * records, the file's sha256 and the checksum file's text come from the receipt, so a converged
 * node reads no content and fetches nothing. Otherwise (no receipt, the file changed, or `deep`,
 * i.e. --verify-content) the file is hashed and the checksum file fetched, as without a receipt.
 */
export function downloadFact(url: string, dest: string, checksumUrl: string | undefined, deep = false): Fact<DownloadState> {
  return factOnce(memoKey('download', url, dest, checksumUrl ?? null, deep), () => makeDownloadFact(url, dest, checksumUrl, deep));
}

function makeDownloadFact(url: string, dest: string, checksumUrl: string | undefined, deep: boolean): Fact<DownloadState> {
  const receipt = q(downloadReceiptPath(url, dest, checksumUrl));
  const d = q(dest);
  // One stat for the quick check and the file's own line; the receipt is read by the shell itself.
  const quick = [
    `if [ -f ${receipt} ] && [ -f ${d} ] && [ ! -L ${d} ] && s=$(${STAT_AND_STATE} ${d}) && { IFS= read -r first; [ "$first" = "stat \${s%%|*}" ]; } < ${receipt}; then`,
    `  echo quick; printf '%s\\n' "\${s#*|}"; { IFS= read -r first; while IFS= read -r l || [ -n "$l" ]; do printf '%s\\n' "$l"; done; } < ${receipt}; exit 0; fi`,
  ].join('\n');
  const fetch = checksumUrl
    ? `out=$( (\n${urlFetchScript(checksumUrl, { maxTime: 60 })}\n) 2>&1); echo "checksum-exit $?"; printf 'checksum %s\\n' "$(printf '%s' "$out" | base64 -w 0)"`
    : '';
  const path = pathFact(dest, { sha256: true });
  return {
    key: `download:${url}:${dest}:${checksumUrl ?? ''}${deep ? ':deep' : ''}`,
    probe: [deep ? '' : quick, 'echo full', `( ${path.probe}\n)`, fetch].filter(Boolean).join('\n'),
    parse(out) {
      const lines = out.split('\n');
      const isQuick = lines[0] === 'quick';
      const body = lines.filter((l) => !/^(quick|full|checksum|checksum-exit) ?/.test(l) || l.startsWith('stat ')).join('\n');
      const state: DownloadState = { dest: path.parse(body, 0), quick: isQuick };
      const b64 = lines.find((l) => l.startsWith('checksum '));
      if (b64 !== undefined) {
        const code = Number(lines.find((l) => l.startsWith('checksum-exit '))?.slice(14) ?? 0);
        state.checksum = { ok: code === 0, text: Buffer.from(b64.slice(9), 'base64').toString('utf8') };
      }
      return state;
    },
    predict(value, p) {
      if (p.kind !== 'path' || p.path !== dest) return undefined;
      return { ...value, dest: p.state.exists === false ? { exists: false } : { ...value.dest, ...p.state } };
    },
  };
}

/**
 * Shell, run right after the download is renamed into place, that records it: the file's quick-check
 * stat, the sha256 it was checked against, and the checksum file's text (base64) it came from.
 * Written to a temporary file and renamed, so a half-written receipt is never trusted.
 */
export function writeDownloadReceipt(url: string, dest: string, checksumUrl: string | undefined, sha256: string, checksumText?: string): string {
  const receipt = downloadReceiptPath(url, dest, checksumUrl);
  const tmp = q(`${receipt}.tmp`);
  const checksum = checksumText === undefined ? '' : `; echo ${q(`checksum ${Buffer.from(checksumText).toString('base64')}`)}; echo 'checksum-exit 0'`;
  return [
    `mkdir -p ${q(RECEIPT_ROOT)}`,
    `{ echo "stat $(${STAT} ${q(dest)})"; echo ${q(`sha ${sha256}`)}${checksum}; } > ${tmp}`,
    `mv -f ${tmp} ${q(receipt)}`,
  ].join('\n');
}
