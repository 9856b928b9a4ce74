import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * CPU time spent inside one fleet node (its pid namespace), read from this machine's /proc, so the
 * measuring itself costs the node nothing. Living processes count their own time; a finished
 * process (an SSH session, a probe's shell) counts in its reaper's cutime/cstime: sshd reaps its
 * sessions and they their children, so nothing the run started is missed or counted twice.
 */
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export function nodeCpuSeconds(nspawnPid: number): number {
  const init = readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, 'utf8').trim().split(/\s+/)[0];
  if (!init) throw new Error(`node of nspawn ${nspawnPid} has no init`);
  const ns = readlinkSync(`/proc/${init}/ns/pid`);
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readlinkSync(`/proc/${pid}/ns/pid`) !== ns) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after "(comm)": state is field 3; utime, stime, cutime, cstime are 14..17.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // the process ended while being read: its time is now in its reaper's
    }
  }
  return ticks / TICK;
}

/** inotify instances in use on this machine (systemd inside each node holds several). */
export function inotifyInUse(): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify') n++;
        } catch {}
      }
    } catch {}
  }
  return n;
}

export function inotifyLimit(): number {
  return Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim());
}
