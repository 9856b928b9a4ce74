import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

/** The node's containerd config file as it is before provision writes its own (bounded: a config is small). */
export interface ContainerdConfigFile {
  exists: boolean;
  /** The text, up to 256 KiB. */
  text: string;
  /** Longer than what was read: not judged, reported. */
  truncated: boolean;
  /** The drop-ins already in the imported directory (`<dir>/*.toml`), path to text (each up to 256 KiB). */
  dropins?: Record<string, string>;
}

const MAX = 262144;

export function containerdConfigFileFact(path: string, dropinDir?: string): Fact<ContainerdConfigFile> {
  const dropins = dropinDir
    ? `\nfor f in ${q(dropinDir)}/*.toml; do [ -f "$f" ] || continue; printf 'dropin %s ' "$(printf %s "$f" | base64 -w0)"; head -c ${MAX} "$f" | base64 -w0; echo; done`
    : '';
  return {
    key: `containerd-config-file:${path}:${dropinDir ?? ''}`,
    probe: `if [ -f ${q(path)} ]; then echo exists; head -c ${MAX + 1} ${q(path)} | base64 -w0; echo; else echo none; echo; fi${dropins}`,
    parse: (out) => {
      const [first, b64 = '', ...rest] = out.split('\n');
      const found: Record<string, string> = {};
      for (const line of rest) {
        const m = /^dropin (\S+) (\S*)$/.exec(line);
        if (m) found[Buffer.from(m[1]!, 'base64').toString('utf8')] = Buffer.from(m[2]!, 'base64').toString('utf8');
      }
      const dropinsOf = dropinDir ? { dropins: found } : {};
      if (first !== 'exists') return { exists: false, text: '', truncated: false, ...dropinsOf };
      const bytes = Buffer.from(b64.trim(), 'base64');
      return { exists: true, text: bytes.subarray(0, MAX).toString('utf8'), truncated: bytes.length > MAX, ...dropinsOf };
    },
  };
}
