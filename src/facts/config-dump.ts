import { createHash } from 'node:crypto';
import { factOnce, memoKey } from './fact-memo.js';
import { QUICK_CHECK_STAT, RECEIPT_ROOT, RECORD_ENV } from '../core/constants.js';
import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

export interface CommandOutput {
  code: number;
  out: string;
}

/** One receipt per (binary, config file): another binary or config never trusts it. */
export function configDumpReceiptPath(bin: string, config: string): string {
  const id = createHash('sha256')
    .update(JSON.stringify([bin, config]))
    .digest('hex')
    .slice(0, 32);
  return `${RECEIPT_ROOT}/containerd-config-dump-${id}`;
}

/**
 * `containerd config dump`: the config containerd loads, as it would load it. The dump is a function
 * of its inputs (the binary, the config file, the drop-ins it imports), so a successful dump is kept
 * in a receipt with a checksum of their stat lines (size, mtime to the nanosecond, inode), as the
 * archives' quick check does: a converged node answers from the receipt instead of starting
 * containerd's binary. A config with an `imports` line of its own names inputs this cannot follow:
 * it is dumped every time. The receipt is written only by probes run inside an apply script (see
 * RECORD_ENV): a read-only gather leaves the node as it was. `dropins` is the drop-in glob the config
 * imports (<directory>/<file pattern>), passed in by the caller that knows the version table.
 */
export function configDumpFact(bin: string, config: string, dropins: string): Fact<CommandOutput> {
  return factOnce(memoKey('config-dump', bin, config, dropins), () => makeConfigDumpFact(bin, config, dropins));
}

function makeConfigDumpFact(bin: string, config: string, dropins: string): Fact<CommandOutput> {
  const path = configDumpReceiptPath(bin, config);
  const receipt = q(path);
  const tmp = q(`${path}.tmp`);
  const dropinDir = dropins.slice(0, dropins.lastIndexOf('/'));
  const pattern = dropins.slice(dropinDir.length + 1);
  if (!dropinDir || !/^[A-Za-z0-9_.*-]+$/.test(pattern)) throw new Error(`drop-in imports "${dropins}" are not <directory>/<file pattern>`);
  const dump = `${q(bin)} --config ${q(config)} config dump`;
  return {
    key: `check:dump:${dump}`,
    probe: [
      // The one imports line provision writes names exactly these drop-ins, which the stat line follows.
      `k=''; grep '^[[:space:]]*imports[[:space:]]*=' ${q(config)} 2>/dev/null | grep -qvxF ${q(`imports = ["${dropins}"]`)} || k=$(stat -c '${QUICK_CHECK_STAT} %n' -- ${q(bin)} ${q(config)} ${q(dropinDir)} ${q(dropinDir)}/${pattern} 2>/dev/null | cksum)`,
      `if [ -n "$k" ] && [ -f ${receipt} ] && IFS= read -r line < ${receipt} && [ "$line" = "inputs $k" ]; then tail -n +2 ${receipt}; exit 0; fi`,
      `out=$(${dump} 2>&1); rc=$?`,
      `printf '%s\\n' "$out"`,
      `if [ $rc -eq 0 ] && [ -n "$k" ] && [ -n "\${${RECORD_ENV}:-}" ]; then mkdir -p ${q(RECEIPT_ROOT)} && printf 'inputs %s\\n%s\\n' "$k" "$out" > ${tmp} && mv -f ${tmp} ${receipt}; fi`,
      'exit $rc',
    ].join('\n'),
    parse: (out, code) => ({ code, out }),
  };
}
