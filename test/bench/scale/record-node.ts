/**
 * `npm run bench:scale:record`: boots one Docker-era fleet node (the layout bench:fleet migrates),
 * applies the roles to it twice through the real SSH transport, and writes every script the engine
 * sent and what the node answered to node-recording.json, for the simulated fleet of bench:scale.
 * Re-record whenever the roles, the probes or the apply script change: bench:scale refuses a
 * recording whose scripts no longer match what the engine sends.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connector } from '../../../src/cli/connect.js';
import { prepareRun } from '../../../src/plan/prepare.js';
import { applyRun } from '../../../src/rollout/rollout.js';
import type { RunOptions, Transport } from '../../../src/transport/transport.js';
import { CACHE_ROOT, Fleet, fleetUnavailable } from '../../fleet/fleet.js';
import { type Exchange, type NodeRecording, RECORDING_FILE, RUN_ID, noncesOf, normalize, normalizeScript } from './node-recording.js';

const log = (s: string) => process.stderr.write(`[bench:scale:record] ${s}\n`);

/** The real transport, keeping each script and its answer. */
function recording(inner: Transport, into: Exchange[]): Transport {
  return {
    host: inner.host,
    get runs() {
      return inner.runs;
    },
    openUnixSocket: (path: string) => inner.openUnixSocket(path),
    async run(script: string, opts?: RunOptions) {
      const r = await inner.run(script, opts);
      const nonces = noncesOf(script);
      const n = (t: string) => normalize(t, nonces, inner.host);
      into.push({ script: normalizeScript(script, nonces, inner.host), stdout: n(r.stdout), stderr: n(r.stderr), code: r.code });
      return r;
    },
    close: () => inner.close(),
  };
}

async function session(fleet: Fleet, into: Exchange[]): Promise<void> {
  const prepared = prepareRun({ inventory: fleet.inventoryFile });
  const connect = await connector({ knownHosts: fleet.knownHostsFile });
  const summary = await applyRun(prepared, { runId: RUN_ID, connect: async (h, spec) => recording(await connect(h, spec), into) });
  const s = Object.values(summary.stats)[0]!;
  log(`exit ${summary.exitCode}: ${JSON.stringify(s)}, ${into.length} scripts`);
  if (summary.exitCode !== 0) throw new Error(`the recorded run failed (exit ${summary.exitCode})`);
}

async function main(): Promise<void> {
  const why = fleetUnavailable();
  if (why) throw new Error(`recording needs the fleet: ${why}`);
  const fleet = await Fleet.up(join(CACHE_ROOT, `bench-scale-record-${process.pid}`), [{ name: 'worker01', kubeletVersion: '1.23' }], log);
  try {
    const rec: NodeRecording = { recorded: '', hostVars: '', groupVars: [], sessions: { first: [], noop: [] } };
    const lines = readFileSync(fleet.inventoryFile, 'utf8').split('\n');
    const host = lines.find((l) => l.startsWith('worker01 '))!;
    // The connection's own variables stay the simulation's; the rest is what the plan is made of.
    rec.hostVars = host
      .replace(/^worker01 /, '')
      .replace(/ansible_(host|port)=\S+ ?/g, '')
      .trim();
    rec.groupVars = lines.slice(lines.indexOf('[k8s_worker:vars]') + 1).filter((l) => l && !l.startsWith('ansible_'));
    log('first apply');
    await session(fleet, rec.sessions.first);
    log('no-op re-run');
    await session(fleet, rec.sessions.noop);
    rec.recorded = `${new Date().toISOString().slice(0, 16)} UTC, one fleet node (Docker Engine from Debian's packages, kubelet 1.23 stand-in)`;
    writeFileSync(RECORDING_FILE, `${JSON.stringify(rec, null, 1)}\n`);
    log(`written: ${RECORDING_FILE.pathname}`);
  } finally {
    await fleet.destroy();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
