import { ProvisionError } from '../core/errors.js';
import { type HostStats, type Listener, type TaskResult, emptyStats, reportResult } from '../core/events.js';
import { connectionOf } from '../inventory/connection.js';
import type { Vars } from '../inventory/inventory.js';
import { failWith, q } from '../transport/shell.js';
import { exitCodeOf, type TransportFactory } from './run.js';

export interface RestoreSummary {
  stats: Record<string, HostStats>;
  exitCode: number;
}

/**
 * Puts back every file a run replaced or removed on each host (kept under <backupRoot>/<run-id>),
 * then reloads systemd and restarts what those files belong to. Files the run created stay, and
 * packages it removed stay removed: a backup holds files, not package states.
 */
export async function restoreRun(hosts: { host: string; vars: Vars }[], runId: string, opts: { connect: TransportFactory; listener: Listener; backupRoot: string }): Promise<RestoreSummary> {
  const stats: Record<string, HostStats> = {};
  for (const { host, vars } of hosts) {
    const s = emptyStats();
    stats[host] = s;
    const record = (task: string, result: Pick<TaskResult, 'status'> & Partial<TaskResult>) =>
      reportResult(s, opts.listener, { host, role: 'restore', task, handler: false, changes: [], ...result });
    opts.listener({ type: 'host-start', host });
    let transport;
    try {
      transport = await opts.connect(host, connectionOf(host, vars));
    } catch (e) {
      s.unreachable = 1;
      opts.listener({ type: 'host-unreachable', host, error: (e as Error).message });
      opts.listener({ type: 'host-end', host, stats: s });
      continue;
    }
    try {
      const dir = `${opts.backupRoot}/${runId}`;
      const list = await transport.run(`[ -d ${q(dir)} ] || ${failWith(`no backup of run ${runId} on this host (${dir})`)}\ncd ${q(dir)} && find . -mindepth 1 \\( -type f -o -type l \\) -print`);
      if (list.code !== 0) {
        record(`restore files of run ${runId}`, { status: 'failed', error: list.stderr.trim() });
        continue;
      }
      const paths = list.stdout.split('\n').filter(Boolean).map((p) => p.slice(1)).sort();
      if (paths.length === 0) {
        record(`restore files of run ${runId}`, { status: 'ok', reason: 'the run replaced no file on this host' });
        continue;
      }
      const script = paths.map((p) => `mkdir -p ${q(p.replace(/\/[^/]*$/, '') || '/')} && cp -a --remove-destination ${q(dir + p)} ${q(p)}`).join('\n');
      const put = await transport.run(`set -e\n${script}\n`);
      if (!record(`restore files of run ${runId}`, put.code === 0 ? { status: 'changed', changes: paths } : { status: 'failed', error: put.stderr.trim() })) continue;
      for (const { name, command } of restartsFor(paths, vars)) {
        const r = await transport.run(command);
        record(name, r.code === 0 ? { status: 'changed', changes: [command] } : { status: 'failed', error: `${command}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}` });
      }
    } catch (e) {
      if (!(e instanceof ProvisionError)) throw e;
      s.unreachable = 1;
      opts.listener({ type: 'host-unreachable', host, error: e.message });
    } finally {
      await transport.close();
      opts.listener({ type: 'host-end', host, stats: s, roundTrips: transport.runs });
    }
  }
  return { stats, exitCode: exitCodeOf(stats, false) };
}

/** What restored files belong to: systemd reloads for unit files, containerd and kubelet restarts for theirs. */
export function restartsFor(paths: string[], vars: Vars): { name: string; command: string }[] {
  const under = (dir: unknown) => (p: string) => typeof dir === 'string' && p.startsWith(`${dir.replace(/\/$/, '')}/`);
  const is = (...files: unknown[]) => (p: string) => files.includes(p);
  const containerd = paths.some((p) =>
    is(vars.containerd_config_file, vars.containerd_runsc_config, '/etc/systemd/system/containerd.service')(p) ||
    under(vars.containerd_registry_config_path)(p) || (under(vars.containerd_bin_dir)(p) && /\/(containerd[^/]*|ctr)$/.test(p)));
  const kubelet = paths.some(is(vars.kubelet_unit_file, vars.kubelet_config_file));
  const out: { name: string; command: string }[] = [];
  if (paths.some((p) => /^\/(etc|lib|usr\/lib)\/systemd\/system\//.test(p))) out.push({ name: 'reload systemd', command: 'systemctl daemon-reload' });
  if (containerd) out.push({ name: 'restart containerd', command: 'systemctl restart containerd' });
  if (kubelet) out.push({ name: 'restart kubelet', command: 'systemctl restart kubelet' });
  return out;
}
