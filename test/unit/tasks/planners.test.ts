import { accountFact } from '../../../src/facts/account.js';
import { archiveFact } from '../../../src/facts/archive.js';
import { existsFact } from '../../../src/facts/exists.js';
import { packagesFact } from '../../../src/facts/packages.js';
import { pathFact } from '../../../src/facts/path.js';
import { unitFact } from '../../../src/facts/unit-state.js';
import { downloadFact } from '../../../src/facts/download-receipt.js';
import { type PlanCase as Case, planCases } from '../../helpers/plan-cases.js';
import { createHash } from 'node:crypto';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const file = (extra: Record<string, unknown> = {}) => ({ exists: true, type: 'regular file', mode: '0644', owner: 'root', group: 'root', size: 3, ...extra });
const dir = (extra: Record<string, unknown> = {}) => ({ exists: true, type: 'directory', mode: '0755', owner: 'root', group: 'root', ...extra });
const unit = (extra: Record<string, unknown> = {}) => ({
  loadState: 'loaded',
  activeState: 'active',
  unitFileState: 'enabled',
  needDaemonReload: false,
  ...extra,
});
const H = 'a'.repeat(64);

const cases: Case[] = [
  // file
  {
    name: 'absent file that exists is removed',
    type: 'file',
    args: { path: '/etc/docker', state: 'absent' },
    facts: [[pathFact('/etc/docker'), dir()]],
    expect: { changes: ['remove directory /etc/docker'] },
  },
  {
    name: 'absent file already gone',
    type: 'file',
    args: { path: '/x', state: 'absent' },
    facts: [[pathFact('/x'), { exists: false }]],
    expect: { noop: /already absent/ },
  },
  {
    name: 'touch creates with mode',
    type: 'file',
    args: { path: '/x', state: 'touch', mode: '0600' },
    facts: [[pathFact('/x'), { exists: false }]],
    expect: { changes: ['create empty file /x', 'mode 0644 -> 0600'] },
  },
  {
    name: 'present on a missing file is an error',
    type: 'file',
    args: { path: '/x' },
    facts: [[pathFact('/x'), { exists: false }]],
    expect: { error: /does not exist/ },
  },
  {
    name: 'owner and mode fixed',
    type: 'file',
    args: { path: '/x', owner: 'ops', mode: '0640' },
    facts: [[pathFact('/x'), file()]],
    expect: { changes: ['owner root:root -> ops:root', 'mode 0644 -> 0640'] },
  },
  {
    name: 'attributes already right',
    type: 'file',
    args: { path: '/x', mode: '644', owner: 'root' },
    facts: [[pathFact('/x'), file()]],
    expect: { noop: /has the wanted attributes/ },
  },
  // directory
  {
    name: 'directory created',
    type: 'directory',
    args: { path: '/opt/cni/bin', mode: '0755' },
    facts: [[pathFact('/opt/cni/bin'), { exists: false }]],
    expect: { changes: ['create directory /opt/cni/bin'] },
  },
  {
    name: 'directory mode corrected',
    type: 'directory',
    args: { path: '/etc/cni/net.d', mode: '0755' },
    facts: [[pathFact('/etc/cni/net.d'), dir({ mode: '0700' })]],
    expect: { changes: ['mode 0700 -> 0755'] },
  },
  {
    name: 'directory over a file refused',
    type: 'directory',
    args: { path: '/x' },
    facts: [[pathFact('/x'), file()]],
    expect: { error: /is a regular file, not a directory/ },
  },
  // link
  {
    name: 'link created',
    type: 'link',
    args: { path: '/run/dockershim.sock', target: '/run/containerd/containerd.sock' },
    facts: [[pathFact('/run/dockershim.sock'), { exists: false }]],
    expect: { changes: ['link /run/dockershim.sock -> /run/containerd/containerd.sock'] },
  },
  {
    name: 'link already right',
    type: 'link',
    args: { path: '/l', target: '/t' },
    facts: [[pathFact('/l'), { exists: true, type: 'symbolic link', linkTarget: '/t' }]],
    expect: { noop: /already points to \/t/ },
  },
  {
    name: 'link retargeted',
    type: 'link',
    args: { path: '/l', target: '/t' },
    facts: [[pathFact('/l'), { exists: true, type: 'symbolic link', linkTarget: '/old' }]],
    expect: { changes: ['link /l: /old -> /t'] },
  },
  {
    name: 'link over a directory refused',
    type: 'link',
    args: { path: '/l', target: '/t' },
    facts: [[pathFact('/l'), dir()]],
    expect: { error: /is a directory/ },
  },
  // template / copy
  {
    name: 'template creates a missing file',
    type: 'template',
    args: { src: 'a.hbs', dest: '/etc/a' },
    ctx: { content: 'new\n' },
    facts: [[pathFact('/etc/a', { sha256: true }), { exists: false }]],
    expect: { changes: ['create /etc/a'] },
  },
  {
    name: 'template updates changed content',
    type: 'template',
    args: { src: 'a.hbs', dest: '/etc/a' },
    ctx: { content: 'new\n' },
    facts: [[pathFact('/etc/a', { sha256: true }), file({ sha256: sha('old\n') })]],
    expect: { changes: ['update /etc/a (content changed)'] },
  },
  {
    name: 'template with equal content is a no-op',
    type: 'template',
    args: { src: 'a.hbs', dest: '/etc/a', mode: '0644' },
    ctx: { content: 'same\n' },
    facts: [[pathFact('/etc/a', { sha256: true }), file({ sha256: sha('same\n') })]],
    expect: { noop: /has the wanted content/ },
  },
  {
    name: 'copy with equal content fixes only the mode',
    type: 'copy',
    args: { content: 'x', dest: '/etc/a', mode: '0600' },
    ctx: { content: 'x' },
    facts: [[pathFact('/etc/a', { sha256: true }), file({ sha256: sha('x') })]],
    expect: { changes: ['mode 0644 -> 0600'] },
  },
  {
    name: 'template onto a directory refused',
    type: 'template',
    args: { src: 'a.hbs', dest: '/etc/a' },
    ctx: { content: 'x' },
    facts: [[pathFact('/etc/a', { sha256: true }), dir()]],
    expect: { error: /not a regular file/ },
  },
  {
    name: 'validate without %s refused',
    type: 'copy',
    args: { content: 'x', dest: '/etc/a', validate: 'check it' },
    ctx: { content: 'x' },
    facts: [[pathFact('/etc/a', { sha256: true }), { exists: false }]],
    expect: { error: /validate must contain %s/ },
  },
  // download
  {
    name: 'download with pinned sha256',
    type: 'download',
    args: { url: 'http://m/runc.amd64', dest: '/usr/local/sbin/runc', sha256: H },
    facts: [[downloadFact('http://m/runc.amd64', '/usr/local/sbin/runc', undefined), { dest: { exists: false }, quick: false }]],
    expect: { changes: [`download /usr/local/sbin/runc from http://m/runc.amd64 (sha256 ${H.slice(0, 12)})`] },
  },
  {
    name: 'download skipped when the checksum matches',
    type: 'download',
    args: { url: 'http://m/runc.amd64', dest: '/r', sha256: H },
    facts: [[downloadFact('http://m/runc.amd64', '/r', undefined), { dest: file({ sha256: H }), quick: false }]],
    expect: { noop: /already has sha256 aaaaaaaaaaaa$/ },
  },
  {
    name: 'download decided by its receipt says so',
    type: 'download',
    args: { url: 'http://m/runc.amd64', dest: '/r', sha256: H },
    facts: [[downloadFact('http://m/runc.amd64', '/r', undefined), { dest: file({ sha256: H }), quick: true }]],
    expect: { noop: /already has sha256 aaaaaaaaaaaa \(quick check against the receipt\)/ },
  },
  {
    name: 'with --verify-content the download reads the file, whatever the receipt says',
    type: 'download',
    args: { url: 'http://m/runc.amd64', dest: '/r', sha256: H },
    ctx: { verifyContent: true },
    facts: [[downloadFact('http://m/runc.amd64', '/r', undefined, true), { dest: file({ sha256: 'c'.repeat(64) }), quick: false }]],
    expect: { changes: [`replace /r from http://m/runc.amd64 (sha256 ${H.slice(0, 12)})`] },
  },
  {
    name: 'download reads the right line of a checksum file',
    type: 'download',
    args: { url: 'http://m/runc.amd64', dest: '/r', sha256: '', checksum_url: 'http://m/runc.sha256sum' },
    facts: [
      [
        downloadFact('http://m/runc.amd64', '/r', 'http://m/runc.sha256sum'),
        { dest: file({ sha256: H }), checksum: { ok: true, text: `${'b'.repeat(64)}  runc.arm64\n${H}  runc.amd64\n` }, quick: false },
      ],
    ],
    expect: { noop: /already has sha256/ },
  },
  {
    name: 'download fails when the checksum file has no line for it',
    type: 'download',
    args: { url: 'http://m/runc.amd64', dest: '/r', checksum_url: 'http://m/s' },
    facts: [
      [downloadFact('http://m/runc.amd64', '/r', 'http://m/s'), { dest: { exists: false }, checksum: { ok: true, text: `${H}  runc.arm64\n` }, quick: false }],
    ],
    expect: { error: /has no line for runc\.amd64/ },
  },
  {
    name: 'download fails when the checksum file cannot be fetched',
    type: 'download',
    args: { url: 'http://m/a', dest: '/r', checksum_url: 'http://m/s' },
    facts: [[downloadFact('http://m/a', '/r', 'http://m/s'), { dest: { exists: false }, checksum: { ok: false, text: 'curl: (22) 404' }, quick: false }]],
    expect: { error: /cannot fetch checksum file http:\/\/m\/s: curl: \(22\) 404/ },
  },
  // unarchive
  {
    name: 'unarchive extracts missing files',
    type: 'unarchive',
    args: { src: '/c.tgz', dest: '/usr/local/bin', strip_components: 1 },
    facts: [
      [archiveFact('/c.tgz', '/usr/local/bin', 1, []), { archiveExists: true, differences: ['missing: ctr', 'missing: containerd'], owners: [], quick: false }],
    ],
    expect: { changes: ['extract /c.tgz into /usr/local/bin (2 missing)'] },
  },
  {
    name: 'unarchive is a no-op when files match',
    type: 'unarchive',
    args: { src: '/c.tgz', dest: '/d', owner: 'root', group: 'root' },
    facts: [[archiveFact('/c.tgz', '/d', 0, []), { archiveExists: true, differences: [], owners: ['root:root'], quick: true }]],
    expect: { noop: /match the archive/ },
  },
  {
    name: 'unarchive fixes owners',
    type: 'unarchive',
    args: { src: '/c.tgz', dest: '/d', owner: 'root', group: 'root' },
    facts: [[archiveFact('/c.tgz', '/d', 0, []), { archiveExists: true, differences: [], owners: ['1001:127'], quick: false }]],
    expect: { changes: ['extract /c.tgz into /d (owners 1001:127)'] },
  },
  {
    name: 'unarchive without its archive fails',
    type: 'unarchive',
    args: { src: '/c.tgz', dest: '/d' },
    facts: [[archiveFact('/c.tgz', '/d', 0, []), { archiveExists: false, differences: [], owners: [], quick: false }]],
    expect: { error: /archive \/c\.tgz does not exist/ },
  },
  {
    name: 'unarchive without its archive, in check mode',
    type: 'unarchive',
    args: { src: '/c.tgz', dest: '/d' },
    ctx: { check: true },
    facts: [[archiveFact('/c.tgz', '/d', 0, []), { archiveExists: false, differences: [], owners: [], quick: false }]],
    expect: { changes: ['extract /c.tgz into /d (the archive comes from an earlier task)'] },
  },
  // package
  {
    name: 'remove Docker keeping containerd and runc',
    type: 'package',
    args: { name: ['docker.io', 'docker-ce'], state: 'absent', keep: ['containerd', 'runc', 'containerd.io'] },
    facts: [
      [
        packagesFact(['docker.io', 'docker-ce', 'containerd', 'runc', 'containerd.io']),
        { manager: 'apt', installed: ['docker.io', 'containerd', 'runc'], configOnly: [] },
      ],
    ],
    expect: { changes: ['remove docker.io (keeping containerd, runc)'] },
  },
  {
    name: 'nothing to remove',
    type: 'package',
    args: { name: ['docker.io'], state: 'absent' },
    facts: [[packagesFact(['docker.io']), { manager: 'apt', installed: [], configOnly: ['docker.io'] }]],
    expect: { noop: /not installed: docker\.io/ },
  },
  {
    name: 'purge clears config-only packages',
    type: 'package',
    args: { name: ['docker.io'], state: 'purge' },
    facts: [[packagesFact(['docker.io']), { manager: 'apt', installed: [], configOnly: ['docker.io'] }]],
    expect: { changes: ['purge docker.io'] },
  },
  {
    name: 'install what is missing',
    type: 'package',
    args: { name: ['curl', 'kmod'] },
    facts: [[packagesFact(['curl', 'kmod']), { manager: 'dnf', installed: ['curl'], configOnly: [] }]],
    expect: { changes: ['install kmod'] },
  },
  {
    name: 'no package manager',
    type: 'package',
    args: { name: 'x' },
    facts: [[packagesFact(['x']), { manager: 'none', installed: [], configOnly: [] }]],
    expect: { error: /no supported package manager/ },
  },
  // systemd
  {
    name: 'stop and disable a running unit',
    type: 'systemd',
    args: { name: 'docker.service', state: 'stopped', enabled: false },
    facts: [[unitFact('docker.service'), unit()]],
    expect: { changes: ['disable docker.service (enabled -> disabled)', 'stop docker.service (active -> inactive)'] },
  },
  {
    name: 'a missing unit is already stopped',
    type: 'systemd',
    args: { name: 'docker.socket', state: 'stopped', enabled: false },
    facts: [[unitFact('docker.socket'), unit({ loadState: 'not-found', activeState: 'inactive', unitFileState: '' })]],
    expect: { noop: /does not exist/ },
  },
  {
    name: 'start, enable and reload a changed unit',
    type: 'systemd',
    args: { name: 'kubelet', state: 'started', enabled: true, daemon_reload: true },
    facts: [[unitFact('kubelet'), unit({ activeState: 'activating', unitFileState: 'disabled', needDaemonReload: true })]],
    expect: { changes: ['daemon-reload (unit file changed)', 'enable kubelet (disabled -> enabled)', 'start kubelet (activating -> active)'] },
  },
  {
    name: 'running and enabled is a no-op',
    type: 'systemd',
    args: { name: 'containerd', state: 'started', enabled: true },
    facts: [[unitFact('containerd'), unit()]],
    expect: { noop: /containerd is active, enabled/ },
  },
  {
    name: 'restarted always restarts',
    type: 'systemd',
    args: { name: 'containerd', state: 'restarted' },
    facts: [[unitFact('containerd'), unit()]],
    expect: { changes: ['restart containerd'] },
  },
  {
    name: 'mask',
    type: 'systemd',
    args: { name: 'docker.service', masked: true },
    facts: [[unitFact('docker.service'), unit({ unitFileState: 'disabled' })]],
    expect: { changes: ['mask docker.service'] },
  },
  {
    name: 'starting a missing unit fails',
    type: 'systemd',
    args: { name: 'nope', state: 'started' },
    facts: [[unitFact('nope'), unit({ loadState: 'not-found', activeState: 'inactive', unitFileState: '' })]],
    expect: { error: /unit nope not found: cannot start/ },
  },
  {
    name: 'starting a missing unit, in check mode',
    type: 'systemd',
    args: { name: 'containerd', state: 'started' },
    ctx: { check: true },
    facts: [[unitFact('containerd'), unit({ loadState: 'not-found', activeState: 'inactive', unitFileState: '' })]],
    expect: { changes: ['start containerd (unit not found yet: an earlier task may create it)'] },
  },
  { name: 'bare daemon-reload', type: 'systemd', args: { daemon_reload: true }, facts: [], expect: { changes: ['daemon-reload'] } },
  // user / group
  {
    name: 'group removed',
    type: 'group',
    args: { name: 'docker', state: 'absent' },
    facts: [[accountFact('group', 'docker'), { exists: true, fields: ['docker', 'x', '998', ''], groups: [] }]],
    expect: { changes: ['remove group docker'] },
  },
  {
    name: 'group already absent',
    type: 'group',
    args: { name: 'docker', state: 'absent' },
    facts: [[accountFact('group', 'docker'), { exists: false, fields: [], groups: [] }]],
    expect: { noop: /does not exist/ },
  },
  {
    name: 'system group created',
    type: 'group',
    args: { name: 'kube', system: true },
    facts: [[accountFact('group', 'kube'), { exists: false, fields: [], groups: [] }]],
    expect: { changes: ['create group kube'] },
  },
  {
    name: 'user created',
    type: 'user',
    args: { name: 'etcd', system: true, shell: '/usr/sbin/nologin' },
    facts: [[accountFact('passwd', 'etcd'), { exists: false, fields: [], groups: [] }]],
    expect: { changes: ['create user etcd'] },
  },
  {
    name: 'user shell and groups corrected',
    type: 'user',
    args: { name: 'ops', shell: '/bin/bash', groups: ['sudo'] },
    facts: [[accountFact('passwd', 'ops'), { exists: true, fields: ['ops', 'x', '1000', '1000', '', '/home/ops', '/bin/sh'], groups: ['ops'] }]],
    expect: { changes: ['shell /bin/sh -> /bin/bash', 'add to groups sudo'] },
  },
  {
    name: 'user removed (its own group, gid 666 as its primary, goes with it: the change says it only guesses so)',
    type: 'user',
    args: { name: 'docker', state: 'absent' },
    facts: [
      [accountFact('passwd', 'docker'), { exists: true, fields: ['docker', 'x', '666', '666', '', '/home/docker', '/bin/sh'], groups: [] }],
      [accountFact('group', 'docker'), { exists: true, fields: ['docker', 'x', '666', ''], groups: [] }],
    ],
    expect: { changes: ['remove user docker'] },
  },
  // command
  { name: 'command runs', type: 'command', args: { cmd: 'modprobe overlay' }, facts: [], expect: { changes: ['run: modprobe overlay'] } },
  {
    name: 'command skipped by creates',
    type: 'command',
    args: { cmd: 'x', creates: '/done' },
    facts: [[existsFact('/done'), true]],
    expect: { noop: /\/done exists/ },
  },
  {
    name: 'command skipped by removes',
    type: 'command',
    args: { cmd: 'x', removes: '/todo' },
    facts: [[existsFact('/todo'), false]],
    expect: { noop: /\/todo does not exist/ },
  },
];

planCases('task planning: {args, facts} -> changes | noop | error', cases);
