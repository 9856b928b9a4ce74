import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { holdsSecret } from '../core/secrets.js';

/** What compiling a template text gives, as plain data: Handlebars' precompiled spec and the names it reads. */
interface StoredTemplate {
  /** Handlebars.precompile's output (JavaScript source of the template spec); absent for an inputs-only entry. */
  spec?: string;
  inputs: string[] | null;
}

/**
 * The roles and templates shipped compile to some 150 entries (140 KB); texts from an inventory (a value with a
 * helper call) add theirs. The whole file is read at every start, so it stays small: past this, nothing is added.
 */
const MAX_ENTRIES = 1_000;

/**
 * Compiled templates kept between runs of a command (`render --limit` of one host spent a third of its CPU
 * parsing and compiling the same role templates and strings at every run). An entry is a pure function of the
 * template text, the templates directory's partials, the helpers and Handlebars (this build): the store is
 * opened by src/roles/role-cache.ts under the same key as the roles' catalog (the status of every roles and
 * templates file, and the build), so it is emptied whenever any of them changes. Its file is the user's own
 * (0600 in a 0700 directory, as the catalog), and only such a file is read (ownFile), since its specs are
 * JavaScript the renderer evaluates.
 */
export class CompiledStore {
  private readonly entries: Map<string, StoredTemplate>;
  private added = 0;
  /** Texts compiled (not found in the store) since it was opened: for tests and the bench. */
  misses = 0;

  constructor(
    readonly templateDir: string,
    private readonly file: string,
    readonly key: string,
  ) {
    this.entries = new Map(Object.entries(readEntries(file, key)));
  }

  /**
   * The stored entry for `id`, or `make()`'s, stored. A text holding a secret of the run (a vaulted value
   * with `{{` in it, rendered as a template) is compiled every time, never written to disk in clear.
   */
  get(id: string, make: () => StoredTemplate): StoredTemplate {
    let entry = this.entries.get(id);
    if (!entry) {
      this.misses++;
      entry = make();
      if (this.entries.size < MAX_ENTRIES && !holdsSecret(id)) {
        this.entries.set(id, entry);
        this.added++;
      }
    }
    return entry;
  }

  /** Writes the store if it gained entries; a store that cannot be written is no error (compiled again next time). */
  save(): void {
    if (!this.added) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      // Written beside and renamed: a concurrent run reads the old store or the new, never half of one.
      const tmp = `${this.file}.${process.pid}`;
      writeFileSync(tmp, JSON.stringify({ key: this.key, entries: Object.fromEntries(this.entries) }), { mode: 0o600 });
      renameSync(tmp, this.file);
      this.added = 0;
    } catch {
      // A read-only cache directory.
    }
  }
}

function readEntries(file: string, key: string): Record<string, StoredTemplate> {
  try {
    if (!ownFile(file)) return {};
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; entries?: Record<string, StoredTemplate> };
    if (stored.key === key && stored.entries && typeof stored.entries === 'object') return stored.entries;
  } catch {
    // Not there yet, or unreadable: starts empty.
  }
  return {};
}

/**
 * The specs are code (and the roles' catalog says what runs on nodes): a cache file is trusted only if it is this
 * user's, writable by no one else, in a directory no one else can replace it in (PROVISION_CACHE_DIR may name a
 * shared one).
 */
export function ownFile(file: string): boolean {
  const uid = process.getuid?.();
  const f = statSync(file);
  const d = statSync(dirname(file));
  const othersWrite = (mode: number) => (mode & 0o022) !== 0;
  const sticky = (d.mode & 0o1000) !== 0;
  return uid !== undefined && f.uid === uid && !othersWrite(f.mode) && (!othersWrite(d.mode) || sticky);
}

/** A precompiled spec back into the object Handlebars.template takes. */
export function specObject(spec: string): unknown {
  return new Function(`return ${spec}`)();
}

const open = new Map<string, CompiledStore>();

/** Makes `store` the one renderers of its templates directory use (role-cache.ts, once the key is known). */
export function useCompiledStore(store: CompiledStore | undefined, templateDir: string): void {
  if (store) open.set(templateDir, store);
  else open.delete(templateDir);
}

/** The store for a templates directory, if one is open (a built CLI with a cache directory). */
export function compiledStoreFor(templateDir: string): CompiledStore | undefined {
  return open.get(templateDir);
}
