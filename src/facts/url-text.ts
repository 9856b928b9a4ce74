import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

/** A small text file fetched by URL on the node (checksum files published beside artifacts). */
export function urlTextFact(url: string): Fact<{ ok: boolean; text: string }> {
  return {
    key: `url:${url}`,
    probe: `if command -v curl >/dev/null; then curl -fsSL --max-time 60 ${q(url)}; else wget -q -T 60 -O - ${q(url)}; fi`,
    parse: (out, code) => ({ ok: code === 0, text: out }),
    outlivesChanges: true,
  };
}

