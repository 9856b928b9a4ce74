import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import { PlanError } from '../core/errors.js';
import { factValue } from '../facts/fact.js';
import { editedFileFact, planNewFile, planTextEdit } from './text-edit.js';
import { defineTaskType } from './task-type.js';

/**
 * Top-level settings of a YAML file someone else owns (kubeadm's /var/lib/kubelet/config.yaml),
 * set in place: only the key's own line changes or one line is appended, every other byte stays.
 * Re-serialising the document would re-indent kubeadm's lists and reorder nothing useful.
 */
export const yamlSetTask = defineTaskType({
  name: 'yaml_set',
  doc: 'top-level scalar settings of an existing YAML file, changed in place (every other byte kept)',
  args: {
    path: { type: 'string', required: true, doc: 'the YAML file' },
    set: { type: 'map', required: true, doc: 'top-level key to scalar value' },
    create: { type: 'map', doc: 'a missing file is created (root, 0644) with these top-level settings first, then set' },
  },
  facts: (args) => [editedFileFact(String(args.path))],
  plan(args, facts, ctx) {
    const path = String(args.path);
    const edit = (before: string) => setTopLevel(before, args.set as Record<string, unknown>, path);
    if (args.create && !factValue(facts, editedFileFact(path)).exists) {
      const first = stringify(args.create);
      return planNewFile(path, facts, ctx, `${first}${edit(first).after.slice(first.length)}`);
    }
    return planTextEdit(path, facts, ctx, edit);
  },
});

export function setTopLevel(text: string, set: Record<string, unknown>, where: string): { after: string; what: string[] } {
  let doc: Record<string, unknown>;
  try {
    doc = (parse(text) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new PlanError(`${where} is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new PlanError(`${where} is not a YAML mapping`);
  let after = text;
  const what: string[] = [];
  for (const [key, value] of Object.entries(set)) {
    if (value !== null && typeof value === 'object') throw new PlanError(`yaml_set sets scalars only; ${key} is ${JSON.stringify(value)}`);
    if (isDeepStrictEqual(doc[key], value)) continue;
    const line = stringify({ [key]: value }).trimEnd();
    const re = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:[^\\n]*$`, 'm');
    const existing = re.exec(after);
    if (existing) {
      const next = after.slice(existing.index + existing[0].length + 1);
      if (/^[ \t-]/.test(next)) throw new PlanError(`${where}: ${key} is not a one-line scalar; not edited`);
      after = after.slice(0, existing.index) + line + after.slice(existing.index + existing[0].length);
      what.push(`${key}: ${JSON.stringify(doc[key])} -> ${JSON.stringify(value)}`);
    } else {
      after = `${after}${after === '' || after.endsWith('\n') ? '' : '\n'}${line}\n`;
      what.push(`add ${key}: ${JSON.stringify(value)}`);
    }
  }
  // The edit must have changed exactly the keys asked for.
  const check = parse(after) as Record<string, unknown>;
  if (!isDeepStrictEqual(check, { ...doc, ...set }))
    throw new PlanError(`${where}: editing in place would change more than ${Object.keys(set).join(', ')}; not edited`);
  return { after, what };
}
