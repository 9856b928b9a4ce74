import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A release-like tarball at `archive`: a `bin/` directory holding `tool` and `helper` (v1, mode 0755,
 * mtimes fixed), staged under `root/stage`, as containerd's and the CNI plugins' archives are laid out.
 */
export function releaseArchive(root: string, archive: string): void {
  const stage = join(root, 'stage', 'bin');
  mkdirSync(stage, { recursive: true });
  writeFileSync(join(stage, 'tool'), '#!/bin/sh\necho tool v1\n', { mode: 0o755 });
  writeFileSync(join(stage, 'helper'), 'helper v1\n', { mode: 0o755 });
  for (const f of ['tool', 'helper']) utimesSync(join(stage, f), 1_600_000_000, 1_600_000_000);
  execFileSync('tar', ['-czf', archive, '-C', join(root, 'stage'), 'bin']);
}
