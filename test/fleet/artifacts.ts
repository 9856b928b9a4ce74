import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Release artifacts in GitHub's release path layout, packed from Debian's containerd, runc and
 * containernetworking-plugins packages (real binaries), so the roles' real download, checksum
 * and unpack path runs against a server on loopback.
 */
export interface Artifacts {
  dir: string;
  containerd: string;
  runc: string;
  cni: string;
}

const sh = (cmd: string, cwd?: string) => execFileSync('sh', ['-c', cmd], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const upstream = (debVersion: string) => /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(debVersion)![1]!;
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export function ensureArtifacts(cacheRoot: string): Artifacts {
  const versions = Object.fromEntries(['containerd', 'runc', 'containernetworking-plugins'].map((p) => [p, aptVersion(p)]));
  const key = createHash('sha256').update(JSON.stringify(versions)).digest('hex').slice(0, 12);
  const dir = join(cacheRoot, `artifacts-${key}`);
  const result = { dir, containerd: upstream(versions.containerd!), runc: upstream(versions.runc!), cni: upstream(versions['containernetworking-plugins']!) };
  if (existsSync(join(dir, '.complete'))) return result;

  const work = `${dir}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'debs'), { recursive: true });
  sh('apt-get download containerd runc containernetworking-plugins', join(work, 'debs'));
  for (const deb of readdirSync(join(work, 'debs'))) sh(`dpkg -x ${deb} ../x`, join(work, 'debs'));
  const x = join(work, 'x');

  const c = result.containerd;
  const cDir = join(work, 'containerd/containerd/releases/download', `v${c}`);
  mkdirSync(join(work, 'stage/bin'), { recursive: true });
  for (const b of ['containerd', 'containerd-shim', 'containerd-shim-runc-v1', 'containerd-shim-runc-v2', 'ctr']) {
    if (existsSync(join(x, 'usr/bin', b))) copyFileSync(join(x, 'usr/bin', b), join(work, 'stage/bin', b));
  }
  sh('chmod 0755 stage/bin/*', work);
  mkdirSync(cDir, { recursive: true });
  const cTar = `containerd-${c}-linux-amd64.tar.gz`;
  sh(`tar -C stage -czf ${join(cDir, cTar)} --owner=0 --group=0 bin`, work);
  writeFileSync(join(cDir, `${cTar}.sha256sum`), `${sha256(join(cDir, cTar))}  ${cTar}\n`);

  const r = result.runc;
  const rDir = join(work, 'opencontainers/runc/releases/download', `v${r}`);
  mkdirSync(rDir, { recursive: true });
  copyFileSync(join(x, 'usr/sbin/runc'), join(rDir, 'runc.amd64'));
  chmodSync(join(rDir, 'runc.amd64'), 0o755);
  // Upstream's runc.sha256sum lists every architecture; the roles must pick the right line.
  writeFileSync(join(rDir, 'runc.sha256sum'), `${'0'.repeat(64)}  runc.arm64\n${sha256(join(rDir, 'runc.amd64'))}  runc.amd64\n`);

  const n = result.cni;
  const nDir = join(work, 'containernetworking/plugins/releases/download', `v${n}`);
  mkdirSync(nDir, { recursive: true });
  const nTar = `cni-plugins-linux-amd64-v${n}.tgz`;
  sh(`tar -C ${join(x, 'usr/lib/cni')} -czf ${join(nDir, nTar)} --owner=0 --group=0 .`, work);
  writeFileSync(join(nDir, `${nTar}.sha256`), `${sha256(join(nDir, nTar))}  ${nTar}\n`);

  rmSync(join(work, 'debs'), { recursive: true });
  rmSync(x, { recursive: true });
  rmSync(join(work, 'stage'), { recursive: true });
  writeFileSync(join(work, '.complete'), JSON.stringify(versions));
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return result;
}

function aptVersion(pkg: string): string {
  const out = sh(`apt-cache policy ${pkg}`);
  const m = /Candidate:\s*(\S+)/.exec(out);
  if (!m || m[1] === '(none)') throw new Error(`no Debian package ${pkg}: run apt-get update`);
  return m[1]!;
}
