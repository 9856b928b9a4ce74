import type { PreparedHost } from '../../src/plan/model.js';
import type { TaskInstance } from '../../src/plan/expand-tasks.js';
import { listArg } from '../../src/tasks/task-type.js';
import { q } from '../../src/transport/shell.js';

/**
 * The floor of the fleet benchmark: the work a first apply did on a node, written as one
 * straight-line shell script with no probing, no checksums and no idempotence, as a person would
 * write it for one known node. It does exactly the tasks (and handlers) the apply reported as
 * changed, with the same rendered file contents (`provision render`) and the same downloads from
 * the same server, so the ratio to it is what provision's checks and round trips cost.
 */
export interface ChangedTask {
  role: string;
  task: string;
  handler?: boolean;
  changes?: string[];
}

const APT = 'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold';

export function floorScript(host: PreparedHost, changed: ChangedTask[]): string {
  const lines = ['set -e'];
  for (const c of changed) {
    const role = host.roles.find((r) => r.role === c.role);
    const task = (c.handler ? role?.handlers : role?.tasks)?.find((t) => t.name === c.task);
    if (!task) throw new Error(`floor: no task "${c.task}" in role ${c.role} of ${host.host}`);
    lines.push(`# ${c.role}: ${c.task}`, plain(task, c.changes ?? []));
  }
  return `${lines.join('\n')}\n`;
}

function attrs(path: string, a: Record<string, unknown>): string {
  const out: string[] = [];
  if (a.owner || a.group) out.push(`chown ${q(`${a.owner ?? 'root'}:${a.group ?? 'root'}`)} ${q(path)}`);
  if (a.mode) out.push(`chmod ${q(String(a.mode))} ${q(path)}`);
  return out.join('\n');
}

function plain(t: TaskInstance, changes: string[]): string {
  const a = t.args;
  switch (t.type) {
    case 'directory':
      return [`mkdir -p ${q(String(a.path))}`, attrs(String(a.path), a)].filter(Boolean).join('\n');
    case 'download':
      return [`curl -fsS -o ${q(String(a.dest))} ${q(String(a.url))}`, attrs(String(a.dest), a)].filter(Boolean).join('\n');
    case 'unarchive': {
      const strip = Number(a.strip_components ?? 0);
      const include = listArg(a.include).map(q).join(' ');
      return `mkdir -p ${q(String(a.dest))}\ntar -x -f ${q(String(a.src))} -C ${q(String(a.dest))}${strip ? ` --strip-components=${strip}` : ''} --no-same-owner ${include}`;
    }
    case 'template':
    case 'copy': {
      const b64 = Buffer.from(t.content ?? '').toString('base64');
      return [`echo ${q(b64)} | base64 -d > ${q(String(a.dest))}`, attrs(String(a.dest), a)].filter(Boolean).join('\n');
    }
    case 'systemd': {
      const out: string[] = [];
      const name = a.name ? q(String(a.name)) : '';
      if (a.daemon_reload) out.push('systemctl daemon-reload');
      if (a.name && a.enabled === true) out.push(`systemctl enable ${name}`);
      if (a.name && a.enabled === false) out.push(`systemctl disable ${name}`);
      if (a.name && a.state) out.push(`systemctl ${{ started: 'start', stopped: 'stop', restarted: 'restart', reloaded: 'reload' }[String(a.state)]} ${name}`);
      return out.join('\n');
    }
    case 'package': {
      // The apply names what it removed: "remove docker.io (keeping containerd, runc)".
      const m = /^(remove|purge|install) ([^()]+?)(?: \(keeping (.+)\))?$/.exec(changes[0] ?? '');
      if (!m) throw new Error(`floor: cannot read the package change "${changes[0]}"`);
      const names = m[2]!.split(', ').map(q).join(' ');
      const keep = m[3] ? `apt-mark manual ${m[3].split(', ').map(q).join(' ')} >/dev/null\n` : '';
      return `${keep}${APT} ${m[1]} ${names}`;
    }
    case 'file':
      return `rm -rf ${q(String(a.path))}`;
    case 'user':
      return `userdel ${q(String(a.name))}`;
    case 'group':
      return `groupdel ${q(String(a.name))}`;
    case 'link':
      return `ln -sfn ${q(String(a.target))} ${q(String(a.path))}`;
    // The handover of Docker's images (the sandbox image among them): saved while Docker runs, imported once containerd does.
    case 'docker_save':
      return `mkdir -p "$(dirname ${q(String(a.archive))})"\ndocker save -o ${q(String(a.archive))} ${listArg(a.images).map(q).join(' ')}`;
    case 'image_import': {
      const snapshotter = a.snapshotter ? ` --snapshotter ${q(String(a.snapshotter))}` : '';
      return `${q(String(a.ctr))} --address ${q(String(a.address))} --namespace ${q(String(a.namespace ?? 'k8s.io'))} images import${snapshotter} ${q(String(a.archive))} >/dev/null\nrm -f ${q(String(a.archive))}`;
    }
    default:
      throw new Error(`floor: no plain form for task type ${t.type} (${t.name})`);
  }
}
