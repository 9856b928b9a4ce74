import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Tiny offline images made from one static binary (Debian's busybox-static), for nodes and test
 * containerds that reach no registry: a pause image whose entrypoint stays up until it is killed,
 * and an app image that prints a line and exits 0. One layer each, built here, loaded into a node's
 * Docker (`docker load`, so a migration hands them over) or into containerd's k8s.io namespace
 * (`ctr images import`), or pushed to a registry on loopback with plain HTTP requests.
 */
export interface TinyImage {
  /** e.g. registry.example/fleet/pause:1.0 */
  ref: string;
  entrypoint: string[];
}

export const BUSYBOX = '/bin/busybox';

/** A pause image: its entrypoint waits until TERM/INT (exit 0) or KILL. */
export const pauseImage = (ref: string): TinyImage => ({ ref, entrypoint: ['/pause'] });

/** An app image that prints `line` and exits 0. */
export const echoImage = (ref: string, line: string): TinyImage => ({ ref, entrypoint: ['/bin/echo', line] });

// `-v` prints a version line and exits 0, as the real pause binary (pause.c) does: the pod check's default container.
const PAUSE_SCRIPT =
  "#!/bin/sh\n[ \"$1\" = -v ] && { echo 'pause.c tiny (provision test image)'; exit 0; }\ntrap 'exit 0' TERM INT\nwhile :; do sleep 3600 & wait $!; done\n";
const APPLETS = ['sh', 'echo', 'sleep', 'cat', 'ls', 'true', 'false'];
const arch = () => ({ x64: 'amd64', arm64: 'arm64' })[process.arch as 'x64' | 'arm64'] ?? process.arch;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function must(cmd: string, args: string[], input?: Buffer | string): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr?.toString() ?? r.error}`);
  return r.stdout;
}

/** The one layer every tiny image shares: busybox and its applets, the pause script. */
export function tinyLayer(busybox = BUSYBOX): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'provision-tiny-'));
  try {
    for (const d of ['bin', 'dev', 'proc', 'sys', 'etc', 'tmp']) mkdirSync(join(root, d));
    writeFileSync(join(root, 'bin/busybox'), readFileSync(busybox), { mode: 0o755 });
    for (const applet of APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
    writeFileSync(join(root, 'pause'), PAUSE_SCRIPT, { mode: 0o755 });
    // Fixed owner and mtime: the same busybox gives the same layer digest on every run.
    return must('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '-cf', '-', '.']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** An image config (OCI/Docker image spec) for `image` on top of `layer`. */
export function imageConfig(image: TinyImage, layer: Buffer): Buffer {
  const config = {
    architecture: arch(),
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config: { Entrypoint: image.entrypoint, Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layer)}`] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'provision test/helpers/tiny-images.ts' }],
  };
  return Buffer.from(JSON.stringify(config));
}

/** A `docker save` archive of `images` (one shared layer), as `docker load` and `ctr images import` read it. */
export function tinyImageArchive(images: TinyImage[], busybox = BUSYBOX): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'provision-tiny-archive-'));
  try {
    const layer = tinyLayer(busybox);
    const layerId = sha256(layer);
    mkdirSync(join(dir, layerId));
    writeFileSync(join(dir, layerId, 'layer.tar'), layer);
    const manifest = images.map((image) => {
      const config = imageConfig(image, layer);
      const name = `${sha256(config)}.json`;
      writeFileSync(join(dir, name), config);
      return { Config: name, RepoTags: [image.ref], Layers: [`${layerId}/layer.tar`] };
    });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return must('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '-cf', '-', '.']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The command that loads an archive from stdin: into Docker, or into containerd's k8s.io namespace (where CRI looks). */
export const loadCommand = (into: 'docker' | 'containerd', address = '/run/containerd/containerd.sock') =>
  into === 'docker' ? 'docker load' : `ctr --address ${address} -n k8s.io images import -`;

/** Loads `images` on a fleet node over real SSH (`sshArgs`: Fleet.sshArgs(node)); busybox from the fleet image. */
export function loadTinyImagesOnNode(sshArgs: string[], fleetImage: string, images: TinyImage[], into: 'docker' | 'containerd'): void {
  const archive = tinyImageArchive(images, join(fleetImage, 'bin/busybox'));
  must('ssh', [...sshArgs, loadCommand(into)], archive);
}

/**
 * Pushes `image` to a registry on loopback with the registry API's plain HTTP requests (blob
 * uploads, then a Docker schema 2 manifest), as `docker push` would.
 */
export async function pushTinyImage(registry: string, repository: string, tag: string, image: TinyImage, busybox = BUSYBOX): Promise<string> {
  const layer = tinyLayer(busybox);
  const gz = gzipSync(layer);
  const config = imageConfig(image, layer);
  for (const blob of [gz, config]) await pushBlob(registry, repository, blob);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: `sha256:${sha256(config)}` },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: gz.length, digest: `sha256:${sha256(gz)}` }],
    }),
  );
  const r = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: new Uint8Array(manifest),
  });
  if (r.status !== 201) throw new Error(`manifest PUT: ${r.status} ${await r.text()}`);
  return `sha256:${sha256(manifest)}`;
}

async function pushBlob(registry: string, repository: string, blob: Buffer): Promise<void> {
  const start = await fetch(`http://${registry}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, `http://${registry}`);
  location.searchParams.set('digest', `sha256:${sha256(blob)}`);
  const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(blob) });
  if (put.status !== 201) throw new Error(`blob PUT: ${put.status} ${await put.text()}`);
}

/** The pause image a dockershim node's Docker holds (kubelet 1.23's default): every fleet node's Docker has it. */
export const DOCKERSHIM_PAUSE = pauseImage('k8s.gcr.io/pause:3.6');

/** Loads the dockershim pause image into a node's Docker; a node without Docker is left as it is. */
export function loadDockershimPause(sshArgs: string[], fleetImage: string): void {
  const archive = tinyImageArchive([DOCKERSHIM_PAUSE], join(fleetImage, 'bin/busybox'));
  must('ssh', [...sshArgs, 'if command -v docker >/dev/null; then docker load >/dev/null; else cat >/dev/null; fi'], archive);
}
