import type { DockerSettingsFacts } from '../facts/docker-daemon-files.js';

/**
 * Which of Docker's images are handed over to containerd (`docker save`, then `ctr -n k8s.io images
 * import`): those the node's containers were created from (pods come back without a pull), or all
 * with `all`, largest last within the size budget. Untagged images cannot be named in containerd's
 * store and are skipped, as is what does not fit.
 * Sources: https://docs.docker.com/reference/cli/docker/image/save/ ;
 * https://github.com/containerd/containerd/blob/main/docs/getting-started.md (ctr images import; CRI uses namespace k8s.io).
 */
export function imagesToMigrate(f: DockerSettingsFacts, opts: { all: boolean; maxBytes: number }): { images: string[]; bytes: number; skipped: string[] } {
  if (!f.dockerActive) return { images: [], bytes: 0, skipped: [] };
  const used = new Set(f.containerImages);
  const wanted = f.images.filter((i) => opts.all || used.has(i.id)).sort((a, b) => a.bytes - b.bytes || a.id.localeCompare(b.id));
  const images: string[] = [];
  const skipped: string[] = [];
  let bytes = 0;
  for (const image of wanted) {
    const name = image.tags[0] ?? image.id;
    if (image.tags.length === 0) skipped.push(`${image.id.slice(0, 19)} (untagged)`);
    else if (bytes + image.bytes > opts.maxBytes) skipped.push(`${name} (${mib(image.bytes)}: over docker_migrate_images_max_mb)`);
    else {
      images.push(...image.tags);
      bytes += image.bytes;
    }
  }
  return { images: [...new Set(images)].sort(), bytes, skipped };
}

const mib = (bytes: number) => `${Math.ceil(bytes / 1024 / 1024)} MiB`;
