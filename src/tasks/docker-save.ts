import { changes, noop } from '../core/change.js';
import { factValue } from '../facts/fact.js';
import { pathFact } from '../facts/path.js';
import { unitFact } from '../facts/unit-state.js';
import { q } from '../transport/shell.js';
import { defineTaskType, listArg } from './task-type.js';

/**
 * Docker's images exported to one archive (`docker save`) while Docker still runs, for image_import
 * to load into containerd. Nothing to do once Docker is gone, so a second run exports nothing.
 */
export const dockerSaveTask = defineTaskType({
  name: 'docker_save',
  doc: 'Docker images saved to an archive on the node (docker save), while docker.service runs; nothing to do without images or once Docker is stopped',
  args: {
    images: { type: 'strings', required: true, doc: 'image references (repository:tag)' },
    archive: { type: 'string', required: true, doc: 'the archive written (atomically, mode 0600)' },
  },
  facts: (args) => [unitFact('docker.service'), pathFact(parentOf(String(args.archive)))],
  plan(args, facts) {
    const images = listArg(args.images);
    const archive = String(args.archive);
    if (images.length === 0) return noop('no Docker image to hand over');
    if (factValue(facts, unitFact('docker.service')).activeState !== 'active') return noop('Docker is not running: no image can be exported');
    const dir = parentOf(archive);
    const dirMissing = !factValue(facts, pathFact(dir)).exists;
    return changes({
      what: `export ${images.length} image(s) from Docker to ${archive}: ${images.join(', ')}`,
      script: [
        `mkdir -p -- ${q(dir)}`,
        `tmp=${q(`${archive}.provision-tmp`)}`,
        `trap 'rm -f -- "$tmp"' EXIT`,
        `docker save -o "$tmp" ${images.map(q).join(' ')}`,
        `chmod 0600 "$tmp"`,
        `mv -f "$tmp" ${q(archive)}`,
        'trap - EXIT',
      ].join('\n'),
      predict: [
        ...(dirMissing ? [{ kind: 'path' as const, path: dir, state: { exists: true, type: 'directory', mode: '0755', owner: 'root', group: 'root' } }] : []),
        { kind: 'path', path: archive, state: { exists: true, type: 'regular file', mode: '0600', owner: 'root', group: 'root' } },
      ],
    });
  },
});

const parentOf = (path: string) => path.replace(/\/[^/]*$/, '') || '/';
