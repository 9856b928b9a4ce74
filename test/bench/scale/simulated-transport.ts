import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { RunOptions, RunResult, Transport } from '../../../src/transport/transport.js';
import { type Exchange, denormalize, noncesOf, normalizeScript } from './node-recording.js';
import { SimulatedCri } from './simulated-cri.js';

/** An SSH channel's window: a long answer reaches the controller in pieces of about this size. */
const CHUNK = 32 * 1024;

/** The simulation's own CPU (replaying, normalizing, comparing), kept apart from the engine's. */
export const simulationCost = { ms: 0 };

/**
 * SIMULATION of a node, not a node: answers each script of a host's session with what a real fleet
 * node answered to the same script (a recorded session, see node-recording.ts), after one round trip
 * of `latencyMs`, streamed in SSH-window-sized chunks. A Docker-era node replays the recorded first
 * apply; a converged one the recorded no-op. The engine parses every answer through its real paths
 * (gather markers, apply-script stream, fact parsers). A script that differs from the recorded one
 * means the recording no longer matches the engine: the run fails loudly, never a made-up answer.
 * The node-side time of a script (installing packages) is not simulated: only the round trip.
 */
export class SimulatedTransport implements Transport {
  runs = 0;

  constructor(
    readonly host: string,
    private readonly session: Exchange[],
    private readonly latencyMs: number,
  ) {}

  private cri?: Promise<SimulatedCri>;

  /** The node's runtime socket (the pod check's CRI): a connection to the SIMULATED CRI, after a round trip. */
  async openUnixSocket(path: string): Promise<Duplex> {
    if (!path.endsWith('containerd.sock')) throw new Error(`the simulated node ${this.host} has no socket ${path}`);
    this.cri ??= SimulatedCri.acquire(this.latencyMs);
    return (await this.cri).open(this.latencyMs);
  }

  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    const t = performance.now();
    const recorded = this.session[this.runs];
    const nonces = noncesOf(script);
    const normalized = normalizeScript(script, nonces, this.host);
    if (!recorded || normalized !== recorded.script) {
      // Kept for a diff against the recording's.
      const file = join(tmpdir(), `bench-scale-${this.host}-script-${this.runs + 1}.sh`);
      writeFileSync(file, normalized);
      throw new Error(
        `simulated ${this.host}: script ${this.runs + 1} (${file}) differs from the recording (${recorded ? 'another script' : 'none recorded'}): re-record with npm run bench:scale:record`,
      );
    }
    this.runs++;
    const stdout = denormalize(recorded.stdout, nonces, this.host);
    const stderr = denormalize(recorded.stderr, nonces, this.host);
    simulationCost.ms += performance.now() - t;
    await new Promise((r) => setTimeout(r, this.latencyMs));
    if (opts.onStdout) for (let i = 0; i < stdout.length; i += CHUNK) opts.onStdout(stdout.slice(i, i + CHUNK));
    return { code: recorded.code, stdout, stderr };
  }

  async close(): Promise<void> {
    (await this.cri)?.release();
    this.cri = undefined;
  }
}
