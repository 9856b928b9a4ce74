import { changes, noop } from '../core/change.js';
import { PlanError } from '../core/errors.js';
import { factValue } from '../facts/fact.js';
import { pathFact } from '../facts/path.js';
import { q } from '../transport/shell.js';
import { atomicWriteScript } from './atomic-write.js';
import { attributeChanges, writtenState } from './file-attributes.js';
import { defineTaskType, ownerArgs } from './task-type.js';

/**
 * A file copied from one path on the node to another, its bytes never leaving the node (a client
 * key stays there). Made for carrying Docker's registry certificates into containerd's certs.d
 * before /etc/docker is removed: once the source is gone, a copy already made is left alone, so a
 * second run plans nothing.
 */
export const nodeCopyTask = defineTaskType({
  name: 'node_copy',
  doc: 'a file copied from another path on the node (content compared by sha256; parent directory created 0755); nothing to do once the source is gone',
  args: {
    src: { type: 'string', required: true, doc: 'the file to copy, on the node' },
    dest: { type: 'string', required: true, doc: 'absolute path of the copy' },
    ...ownerArgs,
  },
  facts: (args) => [pathFact(String(args.src), { sha256: true }), pathFact(String(args.dest), { sha256: true }), pathFact(parentOf(String(args.dest)))],
  plan(args, facts, ctx) {
    const src = String(args.src);
    const dest = String(args.dest);
    const from = factValue(facts, pathFact(src, { sha256: true }));
    const to = factValue(facts, pathFact(dest, { sha256: true }));
    if (!from.exists) return noop(to.exists ? `${src} is gone; ${dest} was copied before` : `${src} does not exist: nothing to copy`);
    if (from.type !== 'regular file' && from.type !== 'regular empty file') throw new PlanError(`${src} is a ${from.type}, not a regular file`);
    if (to.exists && to.type !== 'regular file' && to.type !== 'regular empty file') throw new PlanError(`${dest} is a ${to.type}, not a regular file`);
    if (to.exists && to.sha256 === from.sha256) {
      const attrs = attributeChanges(dest, to, args);
      return attrs.length ? changes(...attrs) : noop(`${dest} is a copy of ${src} (sha256 ${String(from.sha256).slice(0, 12)})`);
    }
    const dir = parentOf(dest);
    const dirState = factValue(facts, pathFact(dir));
    const script = [
      dirState.exists ? '' : `mkdir -p -- ${q(dir)} && chmod 0755 ${q(dir)}`,
      atomicWriteScript({ dest, state: to, args, backupDir: ctx.backupDir, fill: `cat -- ${q(src)} > "$tmp"` }),
    ]
      .filter(Boolean)
      .join('\n');
    return changes({
      what: `${to.exists ? 'update' : 'create'} ${dest} (a copy of ${src})`,
      script,
      predict: [
        ...(dirState.exists
          ? []
          : [{ kind: 'path' as const, path: dir, state: { exists: true, type: 'directory', owner: 'root', group: 'root', mode: '0755' } }]),
        writtenState(dest, to, args, { sha256: from.sha256 }),
      ],
    });
  },
});

const parentOf = (path: string) => path.replace(/\/[^/]*$/, '') || '/';
