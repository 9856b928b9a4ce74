import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { HostState, Listener } from '../core/events.js';
import { isRunId } from '../core/run-id.js';

/**
 * A run's journal on the controller: its id, what it was run on, its wave plan, and each host's
 * states as they change (drained, applied, verified, uncordoned, done, failed). Every change is on
 * disk (appended, fdatasync'd) before the host's next step, so after a crash (even kill -9) the
 * journal holds every state reached: `--resume` continues from it. The file stays one JSON document.
 */
export interface JournalData {
  runId: string;
  /** Hash of what selects the hosts and their variables: a resume must match it. */
  key: string;
  /** What the key was made of, for the person reading the journal. */
  selection: Selection;
  startedAt: string;
  strategy: string;
  waves: string[][];
  /** Each host's states, in the order they were reached (a resumed run appends). */
  hosts: Record<string, HostState[]>;
}

/** The inventory, limit, roles and variables of a run: a resumed run must be given the same. */
export interface Selection {
  inventory: string[];
  limit?: string;
  roles?: string[];
  extraVars?: string[];
}

export const journalDir = () =>
  process.env.PROVISION_JOURNAL_DIR || join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'provision', 'runs');

export const selectionKey = (s: Selection) =>
  createHash('sha256')
    .update(JSON.stringify([s.inventory, s.limit ?? null, s.roles ?? [], s.extraVars ?? []]))
    .digest('hex')
    .slice(0, 16);

export class Journal {
  /** The open journal file while states are appended to it (after begin, resume or a rewrite). */
  private fd?: number;
  /** Where the closing tail starts: the next host entry is written over it, the tail after it. */
  private tailAt = 0;
  private entries = 0;
  private syncPending = false;

  private constructor(
    readonly dir: string,
    readonly data: JournalData,
  ) {}

  static begin(dir: string, data: Omit<JournalData, 'hosts'>): Journal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const j = new Journal(dir, { ...data, hosts: {} });
    j.rewrite();
    return j;
  }

  /** The run to resume: `runId`, or the latest run of this selection; refused when the selection differs. */
  static resume(dir: string, selection: Selection, runId?: string): Journal {
    const key = selectionKey(selection);
    if (runId !== undefined) {
      if (!isRunId(runId)) throw new UsageError(`--resume takes a run id such as 20261122T104800Z-1a2b3c, got "${runId}"`);
      const j = Journal.read(dir, runId);
      if (j.data.key !== key) {
        throw new UsageError(
          `run ${runId} was made with ${JSON.stringify(j.data.selection)}; resume it with the same inventory, --limit, roles and -e (got ${JSON.stringify(selection)})`,
        );
      }
      return j;
    }
    const ids = listRuns(dir).reverse();
    for (const id of ids) {
      const j = Journal.read(dir, id);
      if (j.data.key === key) return j;
    }
    throw new UsageError(`no run of this inventory, --limit, roles and -e to resume in ${dir}`);
  }

  static read(dir: string, runId: string): Journal {
    const file = join(dir, `${runId}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new UsageError(`no journal of run ${runId} in ${dir}`);
    }
    try {
      return new Journal(dir, JSON.parse(text) as JournalData);
    } catch (e) {
      throw new UsageError(`${file}: not a run journal: ${(e as Error).message}`);
    }
  }

  /**
   * A host's new state, on disk before the host's next step: its whole list appended as one more
   * `"host": [...]` member of `hosts` (JSON takes the last of a repeated member), written over the
   * closing tail with the tail after it, then fdatasync'd. Rewriting the whole journal for each state,
   * as it once was, cost the run n^2 (10,000 hosts: 400 KB written and fsynced 20,000 times).
   * Written at once, a state survives the controller's crash or kill -9. Against a power loss, `drained`
   * is fdatasync'd before the host's next step (a resume must know which nodes it left cordoned); the
   * others, whose loss only makes a resume redo a step, share one sync per turn of the event loop.
   */
  record(host: string, state: HostState): void {
    const states = [...(this.data.hosts[host] ?? []), state];
    this.data.hosts[host] = states;
    // Read back for a resume (or closed): the first state writes the journal whole, then appends follow.
    if (this.fd === undefined) {
      this.rewrite();
      return;
    }
    const entry = `${this.entries++ ? ',' : ''}\n  ${JSON.stringify(host)}: ${JSON.stringify(states)}`;
    const bytes = Buffer.from(entry + TAIL);
    writeSync(this.fd, bytes, 0, bytes.length, this.tailAt);
    this.tailAt += bytes.length - TAIL.length;
    if (state === 'drained') fdatasyncSync(this.fd);
    else this.syncSoon();
  }

  /** Records host states as the rollout reports them, before any other subscriber hears of them. */
  listener: Listener = (e) => {
    if (e.type === 'host-state') this.record(e.host, e.state);
    if (e.type === 'wave-start') {
      this.data.waves[e.index - 1] = e.hosts;
      this.rewrite();
    }
  };

  /** Every state recorded so far on disk, and the file closed (the end of a run; records after it rewrite the journal). */
  close(): void {
    if (this.fd === undefined) return;
    fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }

  private syncSoon(): void {
    if (this.syncPending) return;
    this.syncPending = true;
    setImmediate(() => {
      this.syncPending = false;
      if (this.fd !== undefined) fdatasyncSync(this.fd);
    });
  }

  /**
   * The whole journal (its states folded, one member per host) to a temp file, fsynced and renamed
   * over the journal; then opened for the states that follow. At the start, on resume and when a wave starts.
   */
  private rewrite(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    const file = join(this.dir, `${this.data.runId}.json`);
    const temp = `${file}.tmp`;
    const { hosts, ...head } = this.data;
    const members = Object.entries(hosts).map(([h, states]) => `\n  ${JSON.stringify(h)}: ${JSON.stringify(states)}`);
    const text = `${JSON.stringify(head, null, 1).slice(0, -2)},\n "hosts": {${members.join(',')}${TAIL}`;
    writeFileSync(temp, text, { mode: 0o600 });
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    // The rename itself is durable once the directory is synced.
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    this.fd = openSync(file, 'r+');
    this.entries = members.length;
    this.tailAt = Buffer.byteLength(text) - TAIL.length;
  }
}

/** How the journal file ends: `hosts` and the document closed. */
const TAIL = '\n }\n}\n';

const listRuns = (dir: string): string[] => {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json') && isRunId(f.slice(0, -5)))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
};

/** What a resumed run does with each host of the journal. */
export interface ResumePlan {
  /** Hosts that finished: skipped. */
  done: string[];
  /** Hosts that failed and are not retried (without --retry-failed). */
  failed: string[];
  /** Hosts left cordoned by the run (drained, not uncordoned): not drained again. */
  drained: Set<string>;
}

export function resumePlan(data: JournalData, retryFailed: boolean): ResumePlan {
  const plan: ResumePlan = { done: [], failed: [], drained: new Set() };
  for (const [host, states] of Object.entries(data.hosts)) {
    const last = states[states.length - 1];
    if (last === 'done') plan.done.push(host);
    else if (last === 'failed' && !retryFailed) plan.failed.push(host);
    if (states.lastIndexOf('drained') > states.lastIndexOf('uncordoned')) plan.drained.add(host);
  }
  return plan;
}
