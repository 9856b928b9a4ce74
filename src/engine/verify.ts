import { parse as parseToml } from 'smol-toml';
import { normalizeRuntimes, type RuntimeSpec } from '../domain/containerd-runtimes.js';
import type { Fact } from '../facts/fact.js';
import { unitFact, type UnitState } from '../facts/unit.js';
import { ansibleBoolean } from '../core/ansible-boolean.js';
import { q } from '../transport/shell.js';
import type { PreparedHost } from './prepare.js';

/**
 * After its roles, a host is checked as an operator would: containerd active and answering on its
 * socket, every configured runtime handler present in what containerd actually loaded, kubelet
 * active, Docker gone. A missing shim binary (runsc, kata) is a warning: the handler is configured
 * but pods using it would fail to start.
 */
export interface Verification {
  facts: Fact<unknown>[];
  judge(values: Map<string, unknown>): { failures: string[]; warnings: string[] };
}

const command = (key: string, probe: string): Fact<{ code: number; out: string }> => ({ key: `verify:${key}`, probe, parse: (out, code) => ({ code, out }) });

/** containerd's rule: runtime_type io.containerd.<name>.<version> runs containerd-shim-<name>-<version>. */
export function shimBinary(runtimeType: string): string | undefined {
  const m = /^io\.containerd\.([a-z0-9]+)\.(v\d+)$/.exec(runtimeType);
  return m ? `containerd-shim-${m[1]}-${m[2]}` : undefined;
}

export function verificationFor(host: PreparedHost): Verification | undefined {
  const roles = new Set(host.roles.map((r) => r.role));
  const v = host.vars;
  const checks: { facts: Fact<unknown>[]; judge: (values: Map<string, unknown>, f: string[], w: string[]) => void }[] = [];

  if (roles.has('install-containerd')) {
    const bin = String(v.containerd_bin_dir);
    const socket = String(v.containerd_socket);
    const handlers = normalizeRuntimes(v.containerd_runtimes as RuntimeSpec[], {
      systemdCgroup: ansibleBoolean(v.containerd_systemd_cgroup), runcBinary: String(v.runc_binary), runscConfigPath: String(v.containerd_runsc_config),
    });
    const unit = unitFact('containerd');
    const ctr = command('ctr', `${q(`${bin}/ctr`)} --address ${q(socket)} version`);
    const dump = command('dump', `${q(`${bin}/containerd`)} --config ${q(String(v.containerd_config_file))} config dump`);
    const shims = [...new Set(handlers.map((h) => shimBinary(h.runtime_type)).filter((s): s is string => !!s))];
    const shimFact = command('shims', shims.map((s) => `{ command -v ${q(s)} || [ -x ${q(`${bin}/${s}`)} ]; } >/dev/null && echo ${q(s)}`).join('\n') + '\ntrue');
    checks.push({
      facts: [unit, ctr, dump, shimFact],
      judge(values, failures, warnings) {
        const u = values.get(unit.key) as UnitState;
        if (u.activeState !== 'active') failures.push(`containerd is ${u.activeState}`);
        const c = values.get(ctr.key) as { code: number; out: string };
        if (c.code !== 0 || !/^Server:/m.test(c.out)) failures.push(`containerd does not answer on ${socket}: ${c.out.trim().split('\n').pop()}`);
        const d = values.get(dump.key) as { code: number; out: string };
        const loaded = d.code === 0 ? loadedRuntimes(d.out) : undefined;
        if (!loaded) failures.push(`containerd config dump failed: ${d.out.trim().split('\n').pop()}`);
        for (const h of handlers) {
          const got = loaded?.[h.name];
          if (loaded && !got) failures.push(`runtime handler "${h.name}" is not in containerd's loaded config`);
          else if (got && got !== h.runtime_type) failures.push(`runtime handler "${h.name}" has runtime_type ${got}, expected ${h.runtime_type}`);
        }
        const found = new Set((values.get(shimFact.key) as { out: string }).out.split('\n').filter(Boolean));
        for (const h of handlers) {
          const shim = shimBinary(h.runtime_type);
          if (shim && !found.has(shim)) warnings.push(`runtime handler "${h.name}" needs ${shim}, which is not on the node: pods with RuntimeClass ${h.runtime_class} will fail to start`);
        }
      },
    });
  }
  if (roles.has('kubelet-config')) {
    const unit = unitFact('kubelet');
    checks.push({
      facts: [unit],
      judge(values, failures) {
        const u = values.get(unit.key) as UnitState;
        if (u.activeState !== 'active') failures.push(`kubelet is ${u.activeState}`);
      },
    });
  }
  if (roles.has('remove-docker')) {
    const unit = unitFact('docker.service');
    const binaries = command('docker-binaries', 'for b in docker dockerd; do command -v "$b"; done; for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin; do [ -e "$d/dockerd" ] && echo "$d/dockerd"; done; true');
    checks.push({
      facts: [unit, binaries],
      judge(values, failures) {
        const u = values.get(unit.key) as UnitState;
        if (u.activeState === 'active' || u.activeState === 'activating') failures.push(`docker.service is still ${u.activeState}`);
        const found = [...new Set((values.get(binaries.key) as { out: string }).out.split('\n').filter(Boolean))];
        if (found.length) failures.push(`Docker is still installed: ${found.join(', ')}`);
      },
    });
  }
  if (!checks.length) return undefined;
  return {
    facts: checks.flatMap((c) => c.facts),
    judge(values) {
      const failures: string[] = [];
      const warnings: string[] = [];
      for (const c of checks) c.judge(values, failures, warnings);
      return { failures, warnings };
    },
  };
}

/** Handler name -> runtime_type from `containerd config dump` (config version 2 or 3). */
export function loadedRuntimes(dump: string): Record<string, string> | undefined {
  let config: Record<string, any>;
  try {
    config = parseToml(dump) as Record<string, any>;
  } catch {
    return undefined;
  }
  const runtimes = config.plugins?.['io.containerd.grpc.v1.cri']?.containerd?.runtimes ?? config.plugins?.['io.containerd.cri.v1.runtime']?.containerd?.runtimes ?? {};
  return Object.fromEntries(Object.entries(runtimes as Record<string, { runtime_type?: string }>).map(([k, r]) => [k, String(r.runtime_type ?? '')]));
}
