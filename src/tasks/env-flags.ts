import { PlanError } from '../core/errors.js';
import { dockershimOnlyFlag, removedFlagRule } from '../domain/kubelet-removed-flags.js';
import { noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { editedFileFact, planTextEdit } from './text-edit.js';
import { defineTaskType, listArg } from './task-type.js';

/**
 * Command-line flags kept in a systemd EnvironmentFile variable, as kubeadm keeps kubelet's in
 * /var/lib/kubelet/kubeadm-flags.env (KUBELET_KUBEADM_ARGS="--a=b --c"). Only that variable's
 * line changes; flags are `--name=value` tokens (kubeadm writes no spaces inside values).
 */
export const envFlagsTask = defineTaskType({
  name: 'env_flags',
  doc: 'flags in one variable of an environment file (kubeadm-flags.env): remove some, set others, drop what a Kubernetes version removed',
  args: {
    path: { type: 'string', required: true, doc: 'the environment file' },
    variable: { type: 'string', required: true, doc: 'the variable holding the flags, e.g. KUBELET_KUBEADM_ARGS' },
    set: { type: 'map', doc: 'flag name (without --) to value; null for a bare flag; replaced in place or appended' },
    remove: { type: 'strings', doc: 'flag names (without --) to remove' },
    drop_removed_kubelet_flags: { type: 'string', doc: 'a Kubernetes version: also remove every kubelet flag it removed (src/domain/kubelet-flags.ts)' },
    drop_dockershim_flags: { type: 'boolean', doc: 'also remove every flag only dockershim read (src/domain/kubelet-removed-flags.ts), whatever the version' },
    if_exists: { type: 'boolean', doc: 'a missing file is left missing (ok) instead of failing the task' },
  },
  facts: (args) => [editedFileFact(String(args.path))],
  plan(args, facts, ctx) {
    if (args.if_exists === true && !factValue(facts, editedFileFact(String(args.path))).exists) return noop(`${String(args.path)} does not exist`);
    return planTextEdit(String(args.path), facts, ctx, (before) =>
      editEnvFlags(before, String(args.variable), {
        set: (args.set ?? {}) as Record<string, unknown>,
        remove: listArg(args.remove),
        removedIn: args.drop_removed_kubelet_flags ? String(args.drop_removed_kubelet_flags) : undefined,
        dropDockershim: args.drop_dockershim_flags === true,
      }),
    );
  },
});

export interface FlagEdits {
  set: Record<string, unknown>;
  remove: string[];
  removedIn?: string;
  /** Drop every dockershim-only flag, whatever removedIn says. */
  dropDockershim?: boolean;
}

export function editEnvFlags(text: string, variable: string, edits: FlagEdits): { after: string; what: string[] } {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${variable}=`));
  if (at < 0 && Object.keys(edits.set).length === 0) return { after: text, what: [] };
  const raw = at < 0 ? '' : lines[at]!.slice(variable.length + 1);
  const quoted = /^"(.*)"\s*$/.exec(raw) ?? /^'(.*)'\s*$/.exec(raw);
  if (at >= 0 && !quoted && /\s/.test(raw.trim())) throw new PlanError(`${variable} in the file is not one quoted value: ${raw}`);
  const tokens = (quoted ? quoted[1]! : raw).split(/\s+/).filter(Boolean);
  const what: string[] = [];
  const nameOf = (t: string) => t.replace(/^--?/, '').split('=')[0]!;
  const dropped = (t: string) => {
    const name = nameOf(t);
    if (edits.remove.includes(name)) return true;
    if (edits.dropDockershim && dockershimOnlyFlag(name)) return true;
    if (!edits.removedIn) return false;
    return !!removedFlagRule(name, t.split('=').slice(1).join('='), edits.removedIn);
  };
  let out = tokens.filter((t) => {
    if (!dropped(t) || Object.hasOwn(edits.set, nameOf(t))) return true;
    what.push(`drop ${t}`);
    return false;
  });
  for (const [name, value] of Object.entries(edits.set)) {
    const token = value === null || value === undefined || value === '' ? `--${name}` : `--${name}=${String(value)}`;
    if (/[\s"'\\$`]/.test(token)) throw new PlanError(`flag ${token} has a character an environment file value cannot carry here`);
    const i = out.findIndex((t) => nameOf(t) === name);
    if (i >= 0 && out[i] === token) continue;
    what.push(i >= 0 ? `${out[i]} -> ${token}` : `add ${token}`);
    if (i >= 0) out[i] = token;
    else out = [...out, token];
  }
  if (!what.length) return { after: text, what };
  const line = `${variable}="${out.join(' ')}"`;
  if (at >= 0) lines[at] = line;
  else lines.splice(text.endsWith('\n') ? lines.length - 1 : lines.length, 0, line);
  return { after: lines.join('\n'), what };
}
