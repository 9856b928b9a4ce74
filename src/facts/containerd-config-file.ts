import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

/** The node's containerd config file as it is before provision writes its own (bounded: a config is small). */
export interface ContainerdConfigFile {
  exists: boolean;
  /** The text, up to 256 KiB. */
  text: string;
  /** Longer than what was read: not judged, reported. */
  truncated: boolean;
}

const MAX = 262144;

export function containerdConfigFileFact(path: string): Fact<ContainerdConfigFile> {
  return {
    key: `containerd-config-file:${path}`,
    probe: `if [ -f ${q(path)} ]; then echo exists; head -c ${MAX + 1} ${q(path)} | base64 -w0; echo; fi`,
    parse: (out) => {
      const [first, b64 = ''] = out.split('\n');
      if (first !== 'exists') return { exists: false, text: '', truncated: false };
      const bytes = Buffer.from(b64.trim(), 'base64');
      return { exists: true, text: bytes.subarray(0, MAX).toString('utf8'), truncated: bytes.length > MAX };
    },
  };
}
