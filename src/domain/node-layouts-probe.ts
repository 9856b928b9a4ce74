import type { Fact } from '../facts/fact.js';
import { q } from '../transport/shell.js';
import { CRI_DOCKERD, KUBEADM_DROPIN_DIRS, type LayoutFacts } from './node-layouts.js';

/** Everything the layout detection and the preflight checks read, gathered in one probe. */
export interface NodeFacts extends LayoutFacts {
  criDockerd: { units: string[]; binaries: string[] };
  dockerUser?: { uid: string; gid: string };
  dockerGroup?: { gid: string };
  /** Users other than docker whose primary group is docker's (groupdel refuses while they exist). */
  dockerGroupPrimaryOf: string[];
  /** Processes owned by the docker user (userdel refuses while they run). */
  dockerUserProcesses: number;
  fetcher: 'curl' | 'wget' | 'none';
  /** Free KiB where the archives are downloaded (the nearest existing parent of the download dir). */
  freeKiB: number;
  freeOn: string;
  /** "cgroup2fs" is cgroup v2; "tmpfs" is v1 (or hybrid). */
  cgroupFs: string;
  /** Executable runc binaries: runc_binary, where packages and releases put runc, and the one on the PATH. */
  runcs: string[];
}

/** Where runc is found: the release binary (runc's README), packages (Debian runc, containerd.io), Docker's static archive. */
export const RUNC_PLACES = ['/usr/local/sbin/runc', '/usr/local/bin/runc', '/usr/sbin/runc', '/usr/bin/runc'];

const PACKAGES = ['docker.io', 'moby-engine', 'docker-ce', 'docker-ce-cli', 'containerd.io', 'containerd', 'runc', 'cri-dockerd', 'kubelet', 'kubeadm'];

export function nodeFactsFact(vars: Record<string, unknown>): Fact<NodeFacts> {
  const downloadDir = String(vars.provision_download_dir ?? '/var/cache/provision');
  const runcBinary = String(vars.runc_binary ?? RUNC_PLACES[0]);
  const probe = [
    `dpkg-query -W -f='pkg \${Package} \${db:Status-Abbrev}\\n' ${PACKAGES.map(q).join(' ')} 2>/dev/null || rpm -q --qf 'pkg %{NAME} ii\\n' ${PACKAGES.map(q).join(' ')} 2>/dev/null | grep '^pkg '`,
    `[ -e /usr/local/bin/dockerd ] && echo dockerd-static`,
    // One systemctl for kubelet's unit and cri-dockerd's: a block per unit (awk's paragraph mode), named by its Id.
    `systemctl show -p Id -p LoadState -p FragmentPath -p DropInPaths -- kubelet.service ${CRI_DOCKERD.units.map(q).join(' ')} 2>/dev/null | awk 'BEGIN { RS = ""; FS = "\\n" }`,
    `  { id = ""; for (i = 1; i <= NF; i++) if ($i ~ /^Id=/) id = substr($i, 4)`,
    `    for (i = 1; i <= NF; i++) if (id == "kubelet.service") { if ($i !~ /^Id=/) print "kubelet " $i } else if ($i == "LoadState=loaded") print "cri-unit " id }'`,
    `for d in ${KUBEADM_DROPIN_DIRS.map(q).join(' ')}; do for f in "$d"/*.conf; do [ -f "$f" ] || continue; k=no; e=no`,
    `  grep -q 'kubeadm-flags.env' "$f" && k=yes; grep -q '^ExecStart=.' "$f" && e=yes; echo "dropin $k $e $f"; done; done`,
    `b=$(command -v kubelet 2>/dev/null) && echo "kubelet-binary $b"`,
    ...CRI_DOCKERD.binaries.map((b) => `[ -e ${q(b)} ] && echo ${q(`cri-binary ${b}`)}`),
    `u=$(getent passwd docker) && echo "docker-user $u" || u=''`,
    `g=$(getent group docker) && { echo "docker-group $g"; gid=$(echo "$g" | cut -d: -f3); getent passwd | awk -F: -v g="$gid" '$4 == g && $1 != "docker" { print "primary-of " $1 }'; }`,
    `[ -n "$u" ] && echo "docker-procs $(ps -o pid= -u docker 2>/dev/null | wc -l)"`,
    `if command -v curl >/dev/null; then echo fetcher curl; elif command -v wget >/dev/null; then echo fetcher wget; else echo fetcher none; fi`,
    `d=${q(downloadDir)}; while [ ! -e "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; echo "free $(df -Pk "$d" | awk 'NR==2 {print $4}') $d"`,
    `stat -fc 'cgroupfs %T' /sys/fs/cgroup`,
    `for r in ${[runcBinary, ...RUNC_PLACES].map(q).join(' ')} "$(command -v runc 2>/dev/null)"; do [ -n "$r" ] && [ -f "$r" ] && [ -x "$r" ] && echo "runc $r"; done`,
    'true',
  ].join('\n');
  return { key: `node-layout:${downloadDir}:${runcBinary}`, probe, parse: parseNodeFacts };
}

export function parseNodeFacts(out: string): NodeFacts {
  const f: NodeFacts = {
    packages: [],
    dockerdStatic: false,
    kubeletUnit: { loadState: 'not-found', fragmentPath: '', dropIns: [] },
    kubeletBinary: '',
    criDockerd: { units: [], binaries: [] },
    dockerGroupPrimaryOf: [],
    dockerUserProcesses: 0,
    fetcher: 'none',
    freeKiB: 0,
    freeOn: '',
    cgroupFs: '',
    runcs: [],
  };
  for (const line of out.split('\n')) {
    const [kind, ...rest] = line.split(' ');
    const value = rest.join(' ');
    if (kind === 'pkg' && /^[ih]i/.test(rest[1] ?? '')) f.packages.push(rest[0]!);
    else if (kind === 'dockerd-static') f.dockerdStatic = true;
    else if (kind === 'kubelet') {
      const [k, v = ''] = [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)];
      if (k === 'LoadState') f.kubeletUnit.loadState = v;
      if (k === 'FragmentPath') f.kubeletUnit.fragmentPath = v;
    } else if (kind === 'dropin') f.kubeletUnit.dropIns.push({ kubeadm: rest[0] === 'yes', execStart: rest[1] === 'yes', path: rest.slice(2).join(' ') });
    else if (kind === 'kubelet-binary') f.kubeletBinary = value;
    else if (kind === 'cri-unit') f.criDockerd.units.push(value);
    else if (kind === 'cri-binary') f.criDockerd.binaries.push(value);
    else if (kind === 'docker-user') {
      const p = value.split(':');
      f.dockerUser = { uid: p[2]!, gid: p[3]! };
    } else if (kind === 'docker-group') f.dockerGroup = { gid: value.split(':')[2]! };
    else if (kind === 'primary-of') f.dockerGroupPrimaryOf.push(value);
    else if (kind === 'docker-procs') f.dockerUserProcesses = Number(value) || 0;
    else if (kind === 'fetcher') f.fetcher = value as NodeFacts['fetcher'];
    else if (kind === 'free') {
      f.freeKiB = Number(rest[0]) || 0;
      f.freeOn = rest.slice(1).join(' ');
    } else if (kind === 'cgroupfs') f.cgroupFs = value;
    else if (kind === 'runc' && !f.runcs.includes(value)) f.runcs.push(value);
  }
  return f;
}
