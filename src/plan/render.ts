import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { pathProblem } from '../roles/value-types.js';
import type { PreparedHost } from './model.js';

const SAFE_DIR_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export interface RenderedFile {
  host: string;
  role: string;
  task: string;
  path: string;
  content: string;
  mode?: string;
}

/** Every file the selected roles would write on each host (templates and copies). */
export function renderedFiles(hosts: PreparedHost[]): RenderedFile[] {
  return hosts.flatMap((h) =>
    h.roles.flatMap((r) =>
      r.tasks.flatMap((t) => {
        if (t.content === undefined) return [];
        const file: RenderedFile = { host: h.host, role: r.role, task: t.name, path: String(t.args.dest), content: t.content };
        if (typeof t.args.mode === 'string') file.mode = t.args.mode;
        return [file];
      }),
    ),
  );
}

/**
 * Writes `outDir/<host>/<absolute path on the node>` for each file. A host name that is not a safe
 * directory name (`../../x`, `a/b`) is refused rather than encoded, so the tree keeps the names
 * users know; every target is checked to be inside outDir before anything is written.
 */
export function writeRenderedFiles(files: RenderedFile[], outDir: string): string[] {
  const root = resolve(outDir);
  const targets = files.map((f) => {
    if (!SAFE_DIR_NAME.test(f.host)) {
      throw new ValidationError(
        `render --out: host name ${JSON.stringify(f.host)} is not a safe directory name (letters, digits, ".", "_", "-"; not starting with "."), so it is not written`,
        { host: f.host },
      );
    }
    const bad = pathProblem(f.path);
    const target = resolve(root, f.host, `.${f.path}`);
    if (bad || !target.startsWith(root + sep))
      throw new ValidationError(`render --out: destination ${JSON.stringify(f.path)} would be written outside ${outDir}${bad ? `: ${bad}` : ''}`, {
        host: f.host,
        role: f.role,
        task: f.task,
      });
    return target;
  });
  const written: string[] = [];
  const makeDir = dirMaker(root);
  for (const [i, f] of files.entries()) {
    const target = targets[i]!;
    makeDir(dirname(target));
    writeFileSync(target, f.content);
    written.push(target);
  }
  return written;
}

/**
 * `mkdir -p` for many directories under one root: each directory is made once, parents first, with
 * one system call (a recursive mkdir first fails on every missing parent, then climbs back down).
 * Ten thousand hosts make a dozen directories each, which costs more than writing their files.
 */
function dirMaker(root: string): (dir: string) => void {
  const made = new Set<string>();
  const make = (dir: string): void => {
    if (made.has(dir)) return;
    if (dir === root) mkdirSync(root, { recursive: true });
    else {
      make(dirname(dir));
      try {
        mkdirSync(dir);
      } catch (e) {
        // Already there from an earlier render: fine if it is a directory, else the same error as before.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        mkdirSync(dir, { recursive: true });
      }
    }
    made.add(dir);
  };
  return make;
}

export function formatRenderedFiles(files: RenderedFile[]): string {
  return files
    .map((f) => `# ==> ${f.host}:${f.path}  (${f.role}: ${f.task}${f.mode ? `, mode ${f.mode}` : ''})\n${f.content}${f.content.endsWith('\n') ? '' : '\n'}`)
    .join('\n');
}
