import { ctrImagesFact } from '../../../src/facts/ctr-images.js';
import { existsFact } from '../../../src/facts/exists.js';
import { pathFact } from '../../../src/facts/path.js';
import { unitFact } from '../../../src/facts/unit-state.js';
import { type PlanCase, planCases } from '../../helpers/plan-cases.js';

const file = (sha256: string, extra: Record<string, unknown> = {}) => ({
  exists: true,
  type: 'regular file',
  mode: '0644',
  owner: 'root',
  group: 'root',
  sha256,
  ...extra,
});
const dir = { exists: true, type: 'directory', mode: '0755', owner: 'root', group: 'root' };
const missing = { exists: false };
const unit = (activeState: string) => ({ loadState: 'loaded', activeState, unitFileState: 'enabled', needDaemonReload: false });
const SRC = '/etc/docker/certs.d/reg:5000/ca.crt';
const DEST = '/etc/containerd/certs.d/reg:5000/ca.crt';
const copyFacts = (src: unknown, dest: unknown, parent: unknown = dir): PlanCase['facts'] => [
  [pathFact(SRC, { sha256: true }), src],
  [pathFact(DEST, { sha256: true }), dest],
  [pathFact('/etc/containerd/certs.d/reg:5000'), parent],
];
const ARCHIVE = '/var/lib/provision/docker-images.tar';
const ctr = { ctr: '/usr/local/bin/ctr', address: '/run/containerd/containerd.sock', namespace: 'k8s.io' };
const importArgs = { archive: ARCHIVE, images: ['reg:5000/app:1.0', 'nginx:1.25'], ...ctr };

const cases: PlanCase[] = [
  // node_copy: Docker's certificates into containerd's certs.d
  {
    name: 'a certificate not yet carried is copied (parent directory created)',
    type: 'node_copy',
    args: { src: SRC, dest: DEST, mode: '0644' },
    facts: copyFacts(file('a'.repeat(64)), missing, missing),
    expect: { changes: [`create ${DEST} (a copy of ${SRC})`] },
  },
  {
    name: 'a copy with the same content is left alone',
    type: 'node_copy',
    args: { src: SRC, dest: DEST, mode: '0644' },
    facts: copyFacts(file('a'.repeat(64)), file('a'.repeat(64))),
    expect: { noop: /is a copy of/ },
  },
  {
    name: 'a copy that differs is updated',
    type: 'node_copy',
    args: { src: SRC, dest: DEST },
    facts: copyFacts(file('a'.repeat(64)), file('b'.repeat(64))),
    expect: { changes: [`update ${DEST} (a copy of ${SRC})`] },
  },
  {
    name: 'a private key keeps its mode',
    type: 'node_copy',
    args: { src: SRC, dest: DEST, mode: '0600' },
    facts: copyFacts(file('a'.repeat(64)), file('a'.repeat(64))),
    expect: { changes: ['mode 0644 -> 0600'] },
  },
  {
    name: 'once /etc/docker is gone, what was carried stays (second run)',
    type: 'node_copy',
    args: { src: SRC, dest: DEST },
    facts: copyFacts(missing, file('a'.repeat(64))),
    expect: { noop: /is gone; .* was copied before/ },
  },
  {
    name: 'nothing to copy when there never was a source',
    type: 'node_copy',
    args: { src: SRC, dest: DEST },
    facts: copyFacts(missing, missing),
    expect: { noop: /does not exist: nothing to copy/ },
  },
  {
    name: 'a directory as source is refused',
    type: 'node_copy',
    args: { src: SRC, dest: DEST },
    facts: copyFacts(dir, missing),
    expect: { error: /not a regular file/ },
  },
  // docker_save: images out of Docker while it runs
  {
    name: 'images are exported while Docker runs',
    type: 'docker_save',
    args: { images: ['reg:5000/app:1.0'], archive: ARCHIVE },
    facts: [
      [unitFact('docker.service'), unit('active')],
      [pathFact('/var/lib/provision'), missing],
    ],
    expect: { changes: [`export 1 image(s) from Docker to ${ARCHIVE}: reg:5000/app:1.0`] },
  },
  {
    name: 'nothing to export once Docker is stopped (a second run)',
    type: 'docker_save',
    args: { images: ['reg:5000/app:1.0'], archive: ARCHIVE },
    facts: [
      [unitFact('docker.service'), unit('inactive')],
      [pathFact('/var/lib/provision'), dir],
    ],
    expect: { noop: /Docker is not running/ },
  },
  {
    name: 'nothing to export without images',
    type: 'docker_save',
    args: { images: [], archive: ARCHIVE },
    facts: [
      [unitFact('docker.service'), unit('active')],
      [pathFact('/var/lib/provision'), dir],
    ],
    expect: { noop: /no Docker image to hand over/ },
  },
  // image_import: into containerd's k8s.io namespace
  {
    name: 'missing images are imported from the archive',
    type: 'image_import',
    args: importArgs,
    facts: [
      [existsFact(ARCHIVE), true],
      [ctrImagesFact(ctr), ['docker.io/library/nginx:1.25']],
    ],
    expect: { changes: ["import 2 image(s) into containerd's k8s.io namespace: reg:5000/app:1.0"] },
  },
  {
    name: 'all images there: nothing to import (Docker Hub names in full count)',
    type: 'image_import',
    args: importArgs,
    facts: [
      [existsFact(ARCHIVE), false],
      [ctrImagesFact(ctr), ['reg:5000/app:1.0', 'docker.io/library/nginx:1.25']],
    ],
    expect: { noop: /all 2 image\(s\) are in containerd's k8s.io namespace/ },
  },
  {
    name: 'images missing and no archive: the export did not happen',
    type: 'image_import',
    args: importArgs,
    facts: [
      [existsFact(ARCHIVE), false],
      [ctrImagesFact(ctr), []],
    ],
    expect: { error: /does not exist: the images .* were not exported/ },
  },
  {
    name: 'no image handed over',
    type: 'image_import',
    args: { ...importArgs, images: [] },
    facts: [
      [existsFact(ARCHIVE), false],
      [ctrImagesFact(ctr), []],
    ],
    expect: { noop: /no image handed over/ },
  },
];

planCases('image handover and carried files: {args, facts} -> changes | noop | error', cases);
