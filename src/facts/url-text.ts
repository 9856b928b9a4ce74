import { urlFetchScript } from '../transport/url-fetch.js';
import type { Fact } from './fact.js';

/** A small text file fetched by URL on the node (checksum files published beside artifacts). */
export function urlTextFact(url: string): Fact<{ ok: boolean; text: string }> {
  return {
    key: `url:${url}`,
    probe: urlFetchScript(url, { maxTime: 60 }),
    parse: (out, code) => ({ ok: code === 0, text: out }),
    outlivesChanges: true,
  };
}
