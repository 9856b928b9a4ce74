import { q } from '../transport/shell.js';
import { factOnce, memoKey } from './fact-memo.js';
import type { Fact } from './fact.js';
import { matching, text } from './node-answer.js';

/** A file of Docker's `certs.d/<registry>/`, with its mode (a client key stays private when carried). */
export interface DockerCertFile {
  registry: string;
  file: string;
  mode: string;
}

export interface DockerImage {
  id: string;
  bytes: number;
  tags: string[];
}

/**
 * What Docker leaves on a node that containerd must keep: `daemon.json` and `certs.d/`, read while
 * /etc/docker exists; after Docker is removed, from the state file the run wrote before removing it
 * (so a second run plans the same). Also whether Docker runs, its images and the images its
 * containers use (for the handover), and the mounts of its data root and containerd's root.
 */
export interface DockerSettingsFacts {
  /** "/etc/docker", "state" (the state file), or "none". */
  source: string;
  /** daemon.json as text ("" when absent); from the state file, its carried subset as JSON. */
  daemonJson: string;
  certs: DockerCertFile[];
  dockerActive: boolean;
  images: DockerImage[];
  /** Image ids that containers (any state) were created from. */
  containerImages: string[];
  /** Docker's data root and the mount point and device it lives on. */
  dataRoot?: { path: string; mount: string; device: string };
  /** The mount point and device of containerd's root (or its nearest existing parent). */
  containerdRootMount?: { mount: string; device: string };
  /**
   * The image references of the handover archive an earlier run exported (docker save's manifest.json) and
   * did not import yet: that run was cut short after Docker stopped, so they are handed over from here.
   */
  archived: string[];
}

/** A file as one base64 line (one process, none per line). */
const b64 = (file: string) => `base64 -w 0 < ${file}; echo`;

/**
 * One probe, in the plan's gather: the settings are read before any task runs, i.e. while Docker and
 * /etc/docker still exist. Docker's Go templates ({{.Id}}) are Docker's, not provision's.
 */
export function dockerSettingsFact(opts: { stateFile: string; containerdRoot: string; archive: string }): Fact<DockerSettingsFacts> {
  // One fact (and its 1.6 KiB probe) for every host that asks the same: each host in flight made its own.
  return factOnce(memoKey('docker-settings', opts.stateFile, opts.containerdRoot, opts.archive), () => makeDockerSettingsFact(opts));
}

function makeDockerSettingsFact(opts: { stateFile: string; containerdRoot: string; archive: string }): Fact<DockerSettingsFacts> {
  const probe = [
    'if [ -d /etc/docker ]; then echo "source /etc/docker"',
    `  [ -f /etc/docker/daemon.json ] && { printf 'daemon '; ${b64('/etc/docker/daemon.json')}; }`,
    '  for d in /etc/docker/certs.d/*/; do [ -d "$d" ] || continue; r=$(basename "$d")',
    '    for f in "$d"*; do [ -f "$f" ] && printf \'cert %s %s %s\\n\' "$(stat -c %a "$f")" "$r" "$(basename "$f")"; done; done',
    `elif [ -f ${q(opts.stateFile)} ]; then echo "source state"; printf 'daemon '; ${b64(q(opts.stateFile))}`,
    'else echo "source none"; fi',
    // The shell's own `command -v` first: a node without Docker's CLI asks systemd nothing.
    'if command -v docker >/dev/null && [ "$(systemctl is-active docker.service 2>/dev/null)" = active ]; then echo docker-active',
    '  ids=$(docker image ls -q --no-trunc 2>/dev/null | sort -u)',
    `  [ -n "$ids" ] && docker image inspect --format 'image {{.Id}} {{.Size}} {{range .RepoTags}}{{.}},{{end}}' $ids 2>/dev/null`,
    '  cs=$(docker ps -a -q --no-trunc 2>/dev/null)',
    `  [ -n "$cs" ] && docker inspect --format 'container {{.Image}}' $cs 2>/dev/null`,
    `  dr=$(docker info --format '{{.DockerRootDir}}' 2>/dev/null)`,
    'elif [ -f /etc/docker/daemon.json ]; then dr=$(sed -n \'s/.*"data-root"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p\' /etc/docker/daemon.json | head -n1); fi',
    '[ -n "$dr" ] || dr=/var/lib/docker',
    '[ -d "$dr" ] && findmnt -nr -o TARGET,SOURCE --target "$dr" | { IFS= read -r m; printf \'data-root %s %s\\n\' "$m" "$dr"; }',
    `c=${q(opts.containerdRoot)}; while [ ! -e "$c" ] && [ "$c" != / ]; do c=$(dirname "$c"); done`,
    'findmnt -nr -o TARGET,SOURCE --target "$c" | { IFS= read -r m; printf \'containerd-root %s\\n\' "$m"; }',
    // docker save writes manifest.json (each image's RepoTags) into the archive: the archive itself is not read.
    `[ -f ${q(opts.archive)} ] && { printf 'archived '; tar -xOf ${q(opts.archive)} manifest.json 2>/dev/null | base64 -w 0; echo; }`,
    'true',
  ].join('\n');
  return { key: `docker-settings:${opts.stateFile}:${opts.containerdRoot}:${opts.archive}`, probe, parse: parseDockerSettings };
}

/** Image ids, tags and cert names go into commands and notes: shaped like Docker's, or the node's answer does not fit. */
const imageId = matching(/^(sha256:)?[0-9a-f]+$/, 'an image id');

export function parseDockerSettings(out: string): DockerSettingsFacts {
  const f: DockerSettingsFacts = { source: 'none', daemonJson: '', certs: [], dockerActive: false, images: [], containerImages: [], archived: [] };
  for (const line of out.split('\n')) {
    const [kind = '', ...rest] = line.split(' ');
    if (kind === 'source') f.source = rest.join(' ');
    else if (kind === 'daemon') f.daemonJson = Buffer.from(rest.join(''), 'base64').toString('utf8');
    else if (kind === 'cert' && rest.length >= 3)
      f.certs.push({
        mode: rest[0]!.padStart(4, '0'),
        registry: text(rest[1], 'a certs.d directory name'),
        file: text(rest.slice(2).join(' '), 'a certs.d file name'),
      });
    else if (kind === 'docker-active') f.dockerActive = true;
    else if (kind === 'image' && rest.length >= 2)
      f.images.push({
        id: imageId(rest[0], 'Docker image list: id'),
        bytes: Number(rest[1]) || 0,
        tags: (rest[2] ?? '')
          .split(',')
          .filter((t) => t && t !== '<none>:<none>')
          .map((t) => text(t, `Docker image list: a tag of ${rest[0]}`)),
      });
    else if (kind === 'container' && rest[0]) f.containerImages.push(imageId(rest[0], "Docker's containers: an image id"));
    else if (kind === 'data-root' && rest.length >= 3) f.dataRoot = { mount: rest[0]!, device: rest[1]!, path: rest.slice(2).join(' ') };
    else if (kind === 'containerd-root' && rest.length >= 2) f.containerdRootMount = { mount: rest[0]!, device: rest[1]! };
    else if (kind === 'archived') f.archived = archivedTags(rest.join(''));
  }
  return f;
}

/**
 * The tags in an archive's manifest.json (docker save: `[{"RepoTags": [...]}, ...]`). An archive whose manifest
 * cannot be read hands nothing over from here (its import then fails naming the archive); a tag goes into
 * commands and notes, so it must be text as Docker's tags are.
 */
function archivedTags(base64: string): string[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return [];
  }
  if (!Array.isArray(manifest)) return [];
  const tags = manifest.flatMap((m) =>
    m && typeof m === 'object' && Array.isArray((m as { RepoTags?: unknown }).RepoTags) ? (m as { RepoTags: unknown[] }).RepoTags : [],
  );
  return [...new Set(tags.map((t) => text(t, 'the handover archive: a tag')))].sort();
}
