import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Fleet } from '../fleet/fleet.js';
import { runCli, type CliResult } from './cli.js';

export interface Report {
  summary: Record<string, { ok: number; changed: number; failed: number; skipped: number; unreachable: number }>;
  roundTrips: Record<string, number>;
  tasks: { host: string; role: string; task: string; status: string; changes?: string[]; handler?: boolean; error?: string }[];
}

/** Runs the real CLI against the fleet with a JSON report, as an operator would. */
export function provision(fleet: Fleet, args: string[], reportFile: string, inventory = fleet.inventoryFile): CliResult & { report: Report } {
  const r = runCli(['-i', inventory, '--known-hosts', fleet.knownHostsFile, '--report', reportFile, ...args]);
  let report: Report;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    throw new Error(`no report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ...r, report };
}

// What a node writes by merely running and being logged into: not part of "touched".
const VOLATILE = new Set(['var/log', 'var/lib/systemd', 'tmp', 'var/tmp', 'var/lib/private', 'var/cache/man', 'etc/machine-id']);

/**
 * Every file a node has written (its overlay upper directory: the image is the lower layer),
 * with type, mode and content hash: equal snapshots mean the node's files were not touched.
 */
export function nodeSnapshot(fleet: Fleet, name: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir)) {
      const r = rel ? `${rel}/${entry}` : entry;
      if (VOLATILE.has(r)) continue;
      const full = join(dir, entry);
      const st = lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out.set(r, `dir ${mode}`);
        walk(full, r);
      } else if (st.isSymbolicLink()) out.set(r, `link ${readlinkSync(full)}`);
      else if (st.isFile()) out.set(r, `file ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      else out.set(r, `other ${mode}`);
    }
  };
  walk(join(fleet.node(name).dir, 'upper'), '');
  return out;
}

/**
 * Each service's state and enablement. A unit systemd keeps restarting (a kubelet on removed flags)
 * flaps between active, failed and activating: it is reported as crash-looping, so comparing two
 * snapshots does not depend on the moment they were taken.
 */
export function serviceStates(fleet: Fleet, name: string): string {
  return fleet.ssh(
    name,
    [
      'for u in docker docker.socket containerd kubelet; do',
      '  s=$(systemctl is-active $u); [ "$(systemctl show $u -p NRestarts --value)" -gt 0 ] 2>/dev/null && s=crash-looping',
      '  echo "$u $s $(systemctl is-enabled $u 2>/dev/null)"; done',
    ].join('\n'),
    { allowFail: true },
  ).stdout;
}

export const changedTasks = (report: Report, host: string) =>
  report.tasks.filter((t) => t.host === host && t.status === 'changed').map((t) => `${t.role}${t.handler ? ' (handler)' : ''}: ${t.task}`);
