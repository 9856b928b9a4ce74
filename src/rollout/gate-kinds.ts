import { spawn } from 'node:child_process';
import { UsageError } from '../core/errors.js';
import { runOnController } from './controller-command.js';
import { podsNotReady } from './pods-ready.js';

export interface GateAnswer {
  passed: boolean;
  answer: string;
}

interface GateKindDef {
  /** Keys of this kind besides its own, the name and timeout/retries/delay. */
  keys: string[];
  validate(spec: Record<string, unknown>, at: string): void;
  check(spec: Record<string, unknown>, ctx: { timeoutMs: number; nodes: { host: string; podsCommand: string }[] }): Promise<GateAnswer>;
}

export type GateKind = 'command' | 'http' | 'prometheus' | 'pods_ready';

const short = (text: string, max = 300) => {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}...` : t;
};

const url = (value: unknown, at: string, key: string) => {
  try {
    const u = new URL(String(value));
    if (u.protocol === 'http:' || u.protocol === 'https:') return;
  } catch {}
  throw new UsageError(`${at}: ${key} must be an http or https URL, got ${JSON.stringify(value)}`);
};

export const GATE_KINDS: Record<GateKind, GateKindDef> = {
  /** A controller command as an argv list, no shell: passes on exit 0. */
  command: {
    keys: [],
    validate(spec, at) {
      const argv = spec.command;
      if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string' || typeof a === 'number')) {
        throw new UsageError(`${at}: command must be a non-empty list of arguments (no shell), e.g. ["sh", "-c", "test ! -e /run/alert"]`);
      }
    },
    check: (spec, ctx) => runArgv((spec.command as unknown[]).map(String), ctx.timeoutMs),
  },
  /** A URL answers 2xx; with `field` (a dotted path into its JSON), that field equals `equals`. */
  http: {
    keys: ['field', 'equals'],
    validate(spec, at) {
      url(spec.http, at, 'http');
      if ((spec.field === undefined) !== (spec.equals === undefined)) throw new UsageError(`${at}: field and equals go together`);
    },
    async check(spec, ctx) {
      const r = await fetchText(String(spec.http), ctx.timeoutMs);
      if (!r.ok) return { passed: false, answer: r.answer };
      if (spec.field === undefined) return { passed: true, answer: r.answer };
      let value: unknown;
      try {
        value = String(spec.field)
          .split('.')
          .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), JSON.parse(r.body));
      } catch {
        return { passed: false, answer: `${r.answer}, not JSON: ${short(r.body, 100)}` };
      }
      const passed = JSON.stringify(value) === JSON.stringify(spec.equals) || String(value) === String(spec.equals);
      return { passed, answer: `${spec.field} is ${JSON.stringify(value)}${passed ? '' : `, not ${JSON.stringify(spec.equals)}`}` };
    },
  },
  /** An instant query: passes when it returns no series, or (with `below`) when every value is under it. */
  prometheus: {
    keys: ['query', 'below'],
    validate(spec, at) {
      url(spec.prometheus, at, 'prometheus');
      if (typeof spec.query !== 'string' || !spec.query.trim()) throw new UsageError(`${at}: query must be a PromQL expression`);
      if (spec.below !== undefined && !Number.isFinite(Number(spec.below))) throw new UsageError(`${at}: below must be a number`);
    },
    async check(spec, ctx) {
      const base = String(spec.prometheus).replace(/\/+$/, '');
      const r = await fetchText(`${base}/api/v1/query?query=${encodeURIComponent(String(spec.query))}`, ctx.timeoutMs);
      // Prometheus answers a bad query with 400 and its error in the JSON body.
      if (!r.ok && !r.body.startsWith('{')) return { passed: false, answer: r.answer };
      let series: { metric: Record<string, string>; value: [number, string] }[];
      try {
        const body = JSON.parse(r.body);
        if (body.status !== 'success') return { passed: false, answer: `prometheus: ${short(body.error ?? r.body)}` };
        series = body.data.resultType === 'vector' ? body.data.result : [{ metric: {}, value: body.data.result }];
      } catch {
        return { passed: false, answer: `prometheus did not answer a query result: ${short(r.body, 100)}` };
      }
      const label = (s: (typeof series)[number]) =>
        s.metric.alertname ??
        (Object.entries(s.metric)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') ||
          'value');
      const bad = spec.below === undefined ? series : series.filter((s) => !(Number(s.value[1]) < Number(spec.below)));
      if (!bad.length) return { passed: true, answer: spec.below === undefined ? 'no series' : `every value under ${spec.below}` };
      return { passed: false, answer: `${bad.length} series: ${short(bad.map((s) => `${label(s)} ${s.value[1]}`).join(', '))}` };
    },
  },
  /** Every pod on the nodes of the wave is Running and Ready (through each host's provision_pods_command). */
  pods_ready: {
    keys: [],
    validate(spec, at) {
      if (spec.pods_ready !== true) throw new UsageError(`${at}: pods_ready takes true`);
    },
    async check(_spec, ctx) {
      const problems: string[] = [];
      for (const node of ctx.nodes) {
        const r = await runOnController(node.podsCommand, ctx.timeoutMs);
        if (r.code !== 0) {
          problems.push(`${node.host}: ${node.podsCommand}: exit ${r.code}: ${short(r.stderr, 120)}`);
          continue;
        }
        try {
          problems.push(...podsNotReady(JSON.parse(r.stdout)).map((p) => `${node.host}: ${p}`));
        } catch (e) {
          problems.push(`${node.host}: not a pod list as JSON: ${(e as Error).message}`);
        }
      }
      return problems.length ? { passed: false, answer: short(problems.join('; ')) } : { passed: true, answer: `every pod ready on ${ctx.nodes.length} nodes` };
    },
  },
};

/** Runs an argv on the controller without a shell; ended (and failed) after `timeoutMs`. */
function runArgv(argv: string[], timeoutMs: number): Promise<GateAnswer> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (out = (out + d).slice(-4096)));
    child.stderr.on('data', (d) => (out = (out + d).slice(-4096)));
    child.on('error', (e) => resolve({ passed: false, answer: `${argv[0]}: ${e.message}` }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const how = signal ? `killed (${signal})` : `exit ${code}`;
      resolve({ passed: code === 0, answer: `${how}${out.trim() ? `: ${short(out)}` : ''}` });
    });
  });
}

async function fetchText(target: string, timeoutMs: number): Promise<{ ok: boolean; answer: string; body: string }> {
  try {
    const r = await fetch(target, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const body = (await r.text()).slice(0, 1 << 20);
    return { ok: r.status >= 200 && r.status < 300, answer: `HTTP ${r.status}`, body };
  } catch (e) {
    return { ok: false, answer: `${target}: ${(e as Error).cause ? String((e as Error & { cause: Error }).cause.message) : (e as Error).message}`, body: '' };
  }
}
