import { changes, noop } from '../core/change.js';
import { PlanError } from '../core/errors.js';
import { ctrImagesFact } from '../facts/ctr-images.js';
import { existsFact } from '../facts/exists.js';
import { factValue } from '../facts/fact.js';
import { q } from '../transport/shell.js';
import { defineTaskType, listArg } from './task-type.js';

/**
 * Images handed over from Docker (docker_save's archive) imported into a containerd namespace
 * (k8s.io is the one the CRI plugin, and so kubelet, uses); the archive is removed once imported.
 * Nothing to do when every image is already there.
 */
export const imageImportTask = defineTaskType({
  name: 'image_import',
  doc: 'images from an image archive imported into a containerd namespace (ctr images import), the archive then removed; nothing to do when they are all there',
  args: {
    archive: { type: 'string', required: true, doc: 'the archive (docker save / OCI layout tar)' },
    images: { type: 'strings', required: true, doc: 'the references the archive holds; imported when one is missing' },
    ctr: { type: 'string', required: true, doc: 'the ctr binary' },
    address: { type: 'string', required: true, doc: "containerd's socket" },
    namespace: { type: 'string', doc: 'containerd namespace (default k8s.io, the CRI one)' },
    snapshotter: { type: 'string', doc: "snapshotter to unpack into (the CRI plugin's)" },
  },
  facts: (args) => [existsFact(String(args.archive)), ctrImagesFact(target(args))],
  plan(args, facts) {
    const images = listArg(args.images);
    const archive = String(args.archive);
    const t = target(args);
    if (images.length === 0) return noop('no image handed over from Docker');
    const present = factValue(facts, ctrImagesFact(t));
    const missing = images.filter((i) => !present.includes(i) && !present.includes(dockerHubRef(i)));
    if (missing.length === 0) return noop(`all ${images.length} image(s) are in containerd's ${t.namespace} namespace`);
    if (!factValue(facts, existsFact(archive)))
      throw new PlanError(`${archive} does not exist: the images ${missing.join(', ')} were not exported from Docker`);
    const snapshotter = args.snapshotter ? ` --snapshotter ${q(String(args.snapshotter))}` : '';
    return changes({
      what: `import ${images.length} image(s) into containerd's ${t.namespace} namespace: ${missing.join(', ')}`,
      script: `${q(t.ctr)} --address ${q(t.address)} --namespace ${q(t.namespace)} images import${snapshotter} ${q(archive)} >/dev/null\nrm -f -- ${q(archive)}`,
      predict: [
        { kind: 'fact', key: ctrImagesFact(t).key, value: [...new Set([...present, ...images])] },
        { kind: 'path', path: archive, state: { exists: false } },
      ],
    });
  },
});

const target = (args: Record<string, unknown>) => ({ ctr: String(args.ctr), address: String(args.address), namespace: String(args.namespace ?? 'k8s.io') });

/** Docker names Hub images short (nginx:1.25); containerd stores them in full (docker.io/library/nginx:1.25). */
export function dockerHubRef(ref: string): string {
  const first = ref.split('/')[0]!;
  if (ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}
