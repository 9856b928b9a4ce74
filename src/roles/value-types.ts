import { posix } from 'node:path';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from '../core/constants.js';

export { registryProblem } from '../domain/registry-names.js';
export { uncarriableProblem } from '../core/uncarriable.js';
import { uncarriableProblem } from '../core/uncarriable.js';

/**
 * What the typed role variables must hold. Each returns a problem (without the variable's name)
 * or undefined. A value no output format can carry is refused here, before any template renders,
 * so the message names the variable instead of a template.
 */

const show = (v: unknown) => JSON.stringify(v);

/**
 * An absolute, normalised path: no `..`, `.`, `//` or trailing `/`, no whitespace, quotes,
 * backslashes or control characters (unit files, tmpfiles.d lines and validate commands treat those
 * as syntax, and no node path these roles manage needs them).
 */
export function pathProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.startsWith('/')) return `expected an absolute path, got ${show(v)}`;
  // The same few dozen paths are checked for every host of a large inventory.
  if (sound.has(v)) return undefined;
  const problem = stringPathProblem(v);
  if (problem === undefined && sound.size < SOUND_MAX) sound.add(v);
  return problem;
}

const SOUND_MAX = 10_000;
/** Paths already found sound (the check is a pure function of the string). */
const sound = new Set<string>();

function stringPathProblem(v: string): string | undefined {
  const bad = uncarriableProblem(v);
  if (bad) return bad;
  if (/[\s"'\\]/.test(v))
    return `path ${show(v)} holds whitespace, a quote or a backslash, which provision does not write into unit files and tmpfiles.d lines`;
  if (v.split('/').some((part) => part === '..' || part === '.')) return `path ${show(v)} holds "." or ".." components: write the path they lead to`;
  if (v.length > 1 && v.endsWith('/')) return `path ${show(v)} ends with "/": write ${show(v.replace(/\/+$/, '') || '/')}`;
  if (posix.normalize(v) !== v) return `path ${show(v)} is not normalised: write ${show(posix.normalize(v))}`;
  return undefined;
}

/**
 * A release version as written in download URLs and comments: `1.27`, `v1.7.24`, `2.0.0-rc.1`;
 * nothing around it, so no version carries a line break or a shell character into a URL.
 */
export function versionProblem(v: string): string | undefined {
  return /^v?\d+\.\d+(?:\.\d+)?(?:[-+~][0-9A-Za-z.+~-]*)?$/.test(v) ? undefined : `expected a version such as "1.27" or "1.7.24", got ${show(v)}`;
}

/** One file name, no directory: it is joined to a directory (`/usr/local/bin/{{item}}`) and must stay in it. */
export function filenameProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '' || v === '.' || v === '..' || v.includes('/')) return `expected a file name without "/", got ${show(v)}`;
  return uncarriableProblem(v) ?? (/[\s"'\\]/.test(v) ? `file name ${show(v)} holds whitespace, a quote or a backslash` : undefined);
}

/** A TCP port, 1-65535 (a number, or a string of digits as INI gives). */
export function portProblem(v: unknown): string | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535 ? undefined : `expected a port (1-65535), got ${show(v)}`;
}

/** A DNS-1123 label: what a RuntimeClass handler and a containerd runtime key must be. */
export function dnsLabelProblem(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 63 && DNS1123_LABEL.test(v)
    ? undefined
    : `expected a DNS-1123 label (lower-case letters, digits, "-", at most 63), got ${show(v)}`;
}

/** A DNS-1123 subdomain: a Kubernetes object name (a RuntimeClass's metadata.name). */
export function dnsSubdomainProblem(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 253 && DNS1123_SUBDOMAIN.test(v)
    ? undefined
    : `expected a DNS-1123 subdomain (lower-case letters, digits, "-", "."), got ${show(v)}`;
}

/** Levenshtein distance, bounded: enough for "did you mean" on variable names. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
