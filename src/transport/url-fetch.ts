/** curl's config-file quoting (curl(1) "-K, --config"): inside "...", `\` and `"` are escaped. */
const curlConfigString = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;

/** A server that does not answer, or a transfer that stalls, fails on its own instead of waiting out --max-time. */
const CONNECT_TIMEOUT_S = 30;
const STALL_BYTES_PER_S = 1024;
const STALL_S = 60;

/**
 * Shell that fetches `url` with curl (else wget), the URL given on standard input through a
 * heredoc, never as an argument: a URL with credentials would otherwise be readable by every user
 * of the node in `ps` and /proc/<pid>/cmdline. `out` is a shell word for the output file; without
 * it the body goes to stdout. URL values cannot hold line breaks (refused at validation).
 */
export function urlFetchScript(url: string, opts: { out?: string; maxTime: number; retries?: number }): string {
  const tag = `PROVISION_URL_${Math.random().toString(36).slice(2, 10)}`;
  const out = opts.out ?? '-';
  const retry = opts.retries ? ` --retry ${opts.retries}` : '';
  return [
    `if command -v curl >/dev/null; then curl -fsSL${retry} --connect-timeout ${CONNECT_TIMEOUT_S} --speed-limit ${STALL_BYTES_PER_S} --speed-time ${STALL_S} --max-time ${opts.maxTime} -o ${out} -K - <<'${tag}'`,
    `url = ${curlConfigString(url)}`,
    tag,
    `else wget -q -T ${opts.maxTime} -O ${out} -i - <<'${tag}'`,
    url,
    tag,
    'fi',
  ].join('\n');
}
