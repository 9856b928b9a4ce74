import { UsageError } from '../core/errors.js';
import { type GateAnswer, GATE_KINDS, type GateKind } from './gate-kinds.js';

/**
 * `provision_gates`: health checks between waves (window: after each host). Each entry has a
 * `name`, exactly one kind (command, http, prometheus, pods_ready; see gate-kinds.ts), `timeout`
 * (seconds, per attempt) and `retries` (attempts after the first, `delay` seconds apart).
 */
export interface Gate {
  name: string;
  kind: GateKind;
  spec: Record<string, unknown>;
  timeoutS: number;
  retries: number;
  delayS: number;
}

export interface GateOutcome {
  name: string;
  passed: boolean;
  /** The last answer, as text for the recap and the reports. */
  answer: string;
  waitedMs: number;
}

const COMMON = new Set(['name', 'timeout', 'retries', 'delay']);

/** The gates of the inventory, every problem reported at once with the entry it is in. */
export function parseGates(value: unknown): Gate[] {
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value)) throw new UsageError(`provision_gates must be a list of gates, got ${JSON.stringify(value)}`);
  const problems: string[] = [];
  const gates = value.flatMap((entry, i) => {
    const at = `provision_gates[${i}]`;
    try {
      return [parseGate(entry, at)];
    } catch (e) {
      problems.push((e as Error).message);
      return [];
    }
  });
  if (problems.length) throw new UsageError(problems.join('\n'));
  const names = gates.map((g) => g.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UsageError(`provision_gates: two gates are named ${JSON.stringify(twice)}`);
  return gates;
}

function parseGate(entry: unknown, at: string): Gate {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new UsageError(`${at}: a gate is a mapping with a name and one kind`);
  const e = entry as Record<string, unknown>;
  if (typeof e.name !== 'string' || !e.name.trim()) throw new UsageError(`${at}: name must be a non-empty string`);
  const kinds = Object.keys(GATE_KINDS).filter((k) => k in e) as GateKind[];
  if (kinds.length !== 1) {
    throw new UsageError(
      `${at} (${e.name}): exactly one of ${Object.keys(GATE_KINDS).join(', ')} is needed, found ${kinds.length ? kinds.join(', ') : 'none'}`,
    );
  }
  const kind = kinds[0]!;
  const allowed = new Set([...COMMON, kind, ...GATE_KINDS[kind].keys]);
  const unknown = Object.keys(e).filter((k) => !allowed.has(k));
  if (unknown.length) throw new UsageError(`${at} (${e.name}): unknown key ${unknown.join(', ')} for a ${kind} gate`);
  GATE_KINDS[kind].validate(e, `${at} (${e.name})`);
  return {
    name: e.name,
    kind,
    spec: e,
    timeoutS: count(e.timeout, 30, `${at} (${e.name}): timeout`, 1),
    retries: count(e.retries, 0, `${at} (${e.name}): retries`, 0),
    delayS: count(e.delay, 5, `${at} (${e.name}): delay`, 0),
  };
}

function count(value: unknown, fallback: number, what: string, min: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= min)) throw new UsageError(`${what} must be a number of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** Runs one gate until it passes or its retries are spent. */
export async function checkGate(gate: Gate, nodes: GateNodes): Promise<GateOutcome> {
  const began = Date.now();
  let last: GateAnswer = { passed: false, answer: 'not checked' };
  for (let attempt = 0; attempt <= gate.retries; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, gate.delayS * 1000));
    last = await withTimeout(GATE_KINDS[gate.kind].check(gate.spec, { timeoutMs: gate.timeoutS * 1000, nodes }), gate.timeoutS * 1000);
    if (last.passed) break;
  }
  return { name: gate.name, passed: last.passed, answer: last.answer, waitedMs: Date.now() - began };
}

/** The nodes a gate is about (the wave's, or the host's that just finished): their provision_pods_command each. */
export type GateNodes = { host: string; podsCommand: string }[];

async function withTimeout(p: Promise<GateAnswer>, ms: number): Promise<GateAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<GateAnswer>((r) => {
    timer = setTimeout(() => r({ passed: false, answer: `no answer within ${ms / 1000} s` }), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
