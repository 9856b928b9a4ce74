/**
 * What a real fleet node answered to one host's session (every script the engine sent it, in order),
 * recorded once by `npm run bench:scale:record` and replayed by the simulated transport. Scripts and
 * answers are kept normalized: the markers' random nonces, the node's name and the run id become
 * placeholders (heredoc delimiters one tag), so that one recording answers any host of the same plan in any run.
 */
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../../src/core/paths.js';

export interface Exchange {
  /** The script, normalized (see normalize). */
  script: string;
  stdout: string;
  stderr: string;
  code: number;
}

export interface NodeRecording {
  /** When and against what the recording was made. */
  recorded: string;
  /** The recorded host's own inventory line, after its name, and the group's variables (the bench's inventory reuses them). */
  hostVars: string;
  groupVars: string[];
  /** A Docker-era node's first apply, then the same node's no-op re-run. */
  sessions: { first: Exchange[]; noop: Exchange[] };
}

/** Named from the package root: the bench runs this module bundled (test/bench/scale.ts), where import.meta.url is the bundle's. */
export const RECORDING_FILE = new URL('test/bench/scale/node-recording.json', pathToFileURL(packageRoot));
export const RUN_ID = 'bench-scale';
const HOST = '@@host@@';
const HEREDOC = /PROVISION_(EOF|URL|LIMITED)_[0-9a-z]+/g;
const NONCE = /@@provision-([0-9a-f]{12})/g;

/** The nonces of a script, in the order they first appear: the n-th is replaced by the n-th of the answer. */
export function noncesOf(script: string): string[] {
  const seen: string[] = [];
  for (const m of script.matchAll(NONCE)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** `text` with `nonces` and the host's name as placeholders (@@provision-N0, @@host@@). */
export function normalize(text: string, nonces: string[], host: string): string {
  let out = text;
  nonces.forEach((n, i) => {
    out = out.replaceAll(n, `N${i}`);
  });
  // Heredoc delimiters are random too (never printed back): compared as one.
  return out.replaceAll(host, HOST).replace(HEREDOC, 'PROVISION_$1_TAG');
}

/** The pod check's pods are named by a random UUID (in their log directories' paths). */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A script, normalized: as `normalize`, and its UUIDs one placeholder (answers keep theirs: none is sent back to the node). */
export const normalizeScript = (script: string, nonces: string[], host: string) => normalize(script, nonces, host).replace(UUID, '@@uuid@@');

/** The inverse of normalize for an answer to a script whose nonces are `nonces`, for host `host`. */
export function denormalize(text: string, nonces: string[], host: string): string {
  let out = text.replaceAll(HOST, host);
  // Highest index first: N1 must not be read as the start of N10.
  for (let i = nonces.length - 1; i >= 0; i--) out = out.replaceAll(`@@provision-N${i}`, `@@provision-${nonces[i]}`);
  return out;
}
