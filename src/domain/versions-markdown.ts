import { CONTAINERD_FEATURES, KUBERNETES_CONTAINERD_SUPPORT } from './containerd-versions.js';
import { IN_TREE_PROVIDERS_OFF, REMOVED_KUBELET_FLAGS } from './kubelet-removed-flags.js';
import { KUBERNETES_FEATURES } from './kubernetes-features.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The README's version tables, generated from the domain tables so they cannot drift. */
export function versionsMarkdown(): string {
  const flags = REMOVED_KUBELET_FLAGS.map(
    (r) => `| \`--${r.flag}${r.values ? `=${r.values.join('\\|')}` : ''}\` | ${r.removedIn} | ${cell(r.why)} | ${cell(r.source)} |`,
  );
  const support = KUBERNETES_CONTAINERD_SUPPORT.map((r) => `| ${r.kubernetes} | ${r.containerd.map((m) => `${m}+`).join(', ')} | ${cell(r.source)} |`);
  const kubernetes = Object.values(KUBERNETES_FEATURES).map((f) => `| \`${f.gate}\` | ${f.since} | ${cell(f.effect)} | ${cell(f.source)} |`);
  const features = Object.entries(CONTAINERD_FEATURES).map(([name, f]) => `| \`${name}\` | ${f.since} | ${cell(f.source)} |`);
  return [
    '| kubelet flag | removed in | why | source |',
    '|---|---|---|---|',
    ...flags,
    '',
    `From ${IN_TREE_PROVIDERS_OFF.since}, \`--cloud-provider=${IN_TREE_PROVIDERS_OFF.values.join('|')}\` is also refused unless \`feature-gates\` sets \`${IN_TREE_PROVIDERS_OFF.gate}=false\` (${IN_TREE_PROVIDERS_OFF.source}).`,
    '',
    '| Kubernetes (from) | containerd recommended | source |',
    '|---|---|---|',
    ...support,
    '',
    '| Kubernetes behaviour (on by default) | since | what provision does | source |',
    '|---|---|---|---|',
    ...kubernetes,
    '',
    '| containerd behaviour | since | source |',
    '|---|---|---|',
    ...features,
    '',
  ].join('\n');
}
