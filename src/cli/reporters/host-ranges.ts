/** `worker01, worker02, worker03, db1` -> `worker01..03, db1`: consecutive numbered names as a range. */
export function hostRanges(hosts: string[], max = 6): string {
  const parts: string[] = [];
  let run: { prefix: string; first: string; last: string; n: number; width: number } | undefined;
  const flush = () => {
    if (run) parts.push(run.first === run.last ? `${run.prefix}${run.first}` : `${run.prefix}${run.first}..${run.last}`);
    run = undefined;
  };
  for (const h of hosts) {
    const m = /^(.*?)(\d+)$/.exec(h);
    if (m && run && run.prefix === m[1] && run.width === m[2]!.length && Number(m[2]) === run.n + 1) {
      run.last = m[2]!;
      run.n++;
      continue;
    }
    flush();
    if (m) run = { prefix: m[1]!, first: m[2]!, last: m[2]!, n: Number(m[2]), width: m[2]!.length };
    else parts.push(h);
  }
  flush();
  return parts.length <= max ? parts.join(', ') : `${parts.slice(0, max).join(', ')}, ... (${hosts.length} hosts)`;
}
