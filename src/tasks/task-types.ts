/**
 * The task types a role may use, with their arguments. Roles are data: new behaviour means a new
 * type here, never code in a role. Arguments are checked when roles load, before any connection.
 */
export type ArgType = 'string' | 'boolean' | 'integer' | 'mode' | 'list' | 'map' | 'strings';

export interface ArgSpec {
  type: ArgType;
  required?: boolean;
  choices?: string[];
  doc: string;
}

export interface TaskTypeSpec {
  doc: string;
  args: Record<string, ArgSpec>;
  /** At least one of these arguments must be given. */
  oneOf?: string[];
}

const owner: Record<string, ArgSpec> = {
  owner: { type: 'string', doc: 'owning user' },
  group: { type: 'string', doc: 'owning group' },
  mode: { type: 'mode', doc: 'permissions as a quoted octal string, e.g. "0644"' },
};

const content: Record<string, ArgSpec> = {
  dest: { type: 'string', required: true, doc: 'absolute path on the node' },
  ...owner,
  validate: { type: 'string', doc: 'command run on the new content before it replaces dest; %s is the temporary file' },
  backup: { type: 'boolean', doc: 'keep what was replaced (default true)' },
};

export const TASK_TYPES: Record<string, TaskTypeSpec> = {
  file: {
    doc: 'a regular file: attributes of an existing file, touched, or absent (absent also removes directories)',
    args: { path: { type: 'string', required: true, doc: 'absolute path' }, state: { type: 'string', choices: ['present', 'touch', 'absent'], doc: 'default present' }, ...owner },
  },
  directory: {
    doc: 'a directory with owner, group and mode',
    args: { path: { type: 'string', required: true, doc: 'absolute path' }, ...owner },
  },
  link: {
    doc: 'a symbolic link',
    args: {
      path: { type: 'string', required: true, doc: 'the link' },
      target: { type: 'string', required: true, doc: 'what it points to' },
      state: { type: 'string', choices: ['present', 'absent'], doc: 'default present' },
    },
  },
  template: {
    doc: 'a file rendered from templates/<src> with the host variables',
    args: { src: { type: 'string', required: true, doc: 'template under templates/' }, ...content },
  },
  copy: {
    doc: 'a file with the given content',
    args: { content: { type: 'string', required: true, doc: 'the file content' }, ...content },
  },
  download: {
    doc: 'a file fetched by URL and checked by sha256; skipped when dest already has that checksum',
    args: {
      url: { type: 'string', required: true, doc: 'where to fetch it' },
      dest: { type: 'string', required: true, doc: 'absolute path on the node' },
      sha256: { type: 'string', doc: 'expected checksum; empty means read it from checksum_url' },
      checksum_url: { type: 'string', doc: 'a sha256sum-style file published beside the artifact' },
      ...owner,
    },
    oneOf: ['sha256', 'checksum_url'],
  },
  unarchive: {
    doc: 'a tar archive on the node extracted into dest; skipped when the extracted files already match',
    args: {
      src: { type: 'string', required: true, doc: 'archive path on the node' },
      dest: { type: 'string', required: true, doc: 'directory to extract into' },
      strip_components: { type: 'integer', doc: 'leading path components to drop' },
      include: { type: 'strings', doc: 'only these members (after stripping)' },
      ...owner,
    },
  },
  package: {
    doc: 'OS packages (apt or dnf)',
    args: {
      name: { type: 'strings', required: true, doc: 'package name or list' },
      state: { type: 'string', choices: ['present', 'absent', 'purge'], doc: 'default present' },
      keep: { type: 'strings', doc: 'packages marked manually installed first, so removing others never autoremoves them' },
    },
  },
  systemd: {
    doc: 'a systemd unit: running state, enablement, masking; daemon-reload when unit files changed',
    args: {
      name: { type: 'string', doc: 'unit name (may be left out for a bare daemon_reload)' },
      state: { type: 'string', choices: ['started', 'stopped', 'restarted', 'reloaded'], doc: 'running state' },
      enabled: { type: 'boolean', doc: 'start at boot' },
      masked: { type: 'boolean', doc: 'masked' },
      daemon_reload: { type: 'boolean', doc: 'run systemctl daemon-reload first' },
    },
    oneOf: ['name', 'daemon_reload'],
  },
  user: {
    doc: 'a local user',
    args: {
      name: { type: 'string', required: true, doc: 'user name' },
      state: { type: 'string', choices: ['present', 'absent'], doc: 'default present' },
      system: { type: 'boolean', doc: 'a system account' },
      group: { type: 'string', doc: 'primary group' },
      groups: { type: 'strings', doc: 'supplementary groups' },
      home: { type: 'string', doc: 'home directory' },
      shell: { type: 'string', doc: 'login shell' },
    },
  },
  group: {
    doc: 'a local group',
    args: {
      name: { type: 'string', required: true, doc: 'group name' },
      state: { type: 'string', choices: ['present', 'absent'], doc: 'default present' },
      system: { type: 'boolean', doc: 'a system group' },
    },
  },
  command: {
    doc: 'a command; always reports changed unless its creates/removes guard says it has nothing to do',
    args: {
      cmd: { type: 'string', required: true, doc: 'run by /bin/sh on the node' },
      creates: { type: 'string', doc: 'skip when this path exists' },
      removes: { type: 'string', doc: 'run only when this path exists' },
      chdir: { type: 'string', doc: 'working directory' },
    },
  },
};

/** Keys every task may carry besides its type. */
export const TASK_KEYS: Record<string, string> = {
  name: 'what the task does, shown in progress and reports',
  when: 'run only if this variable or helper expression is truthy, e.g. docker_purge_data or (includes containerd_runtimes "runsc")',
  loop: 'a list or map variable to repeat the task over; each entry is `item` (maps give item.key and item.value)',
  notify: 'handler name(s) to run at the end of the role when this task changed something',
  if_exists: 'path(s) on the node: the task acts only if one of them exists when facts are gathered (e.g. only stop kubelet while Docker is still installed)',
};
