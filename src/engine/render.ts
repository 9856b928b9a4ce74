import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { pathProblem } from '../roles/value-types.js';
import type { PreparedHost } from './prepare.js';

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
  const files: RenderedFile[] = [];
  for (const h of hosts) {
    for (const r of h.roles) {
      for (const t of r.tasks) {
        if (t.content === undefined) continue;
        const file: RenderedFile = { host: h.host, role: r.role, task: t.name, path: String(t.args.dest), content: t.content };
        if (typeof t.args.mode === 'string') file.mode = t.args.mode;
        files.push(file);
      }
    }
  }
  return files;
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
  // Thousands of hosts share a few directories each: each is made once, not once per file.
  const made = new Set<string>();
  for (const [i, f] of files.entries()) {
    const target = targets[i]!;
    const dir = dirname(target);
    if (!made.has(dir)) mkdirSync(dir, { recursive: true });
    made.add(dir);
    writeFileSync(target, f.content);
    written.push(target);
  }
  return written;
}

export function formatRenderedFiles(files: RenderedFile[]): string {
  return files
    .map((f) => `# ==> ${f.host}:${f.path}  (${f.role}: ${f.task}${f.mode ? `, mode ${f.mode}` : ''})\n${f.content}${f.content.endsWith('\n') ? '' : '\n'}`)
    .join('\n');
}
