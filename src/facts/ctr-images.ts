import { q } from '../transport/shell.js';
import type { Fact } from './fact.js';

/** The image references in a containerd namespace (`ctr images ls -q`); none while containerd does not answer. */
export function ctrImagesFact(opts: { ctr: string; address: string; namespace: string }): Fact<string[]> {
  return {
    key: `ctr-images:${opts.ctr}:${opts.address}:${opts.namespace}`,
    probe: `[ -x ${q(opts.ctr)} ] && [ -S ${q(opts.address)} ] && ${q(opts.ctr)} --address ${q(opts.address)} --namespace ${q(opts.namespace)} images ls -q 2>/dev/null; true`,
    parse: (out) =>
      out
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    predict: (_value, p) => (p.kind === 'fact' && p.key === ctrImagesFact(opts).key ? (p.value as string[]) : undefined),
  };
}
