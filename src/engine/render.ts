import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PreparedHost } from './prepare.js';

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

/** Writes `outDir/<host>/<absolute path on the node>` for each file. */
export function writeRenderedFiles(files: RenderedFile[], outDir: string): string[] {
  const written: string[] = [];
  for (const f of files) {
    const target = join(outDir, f.host, f.path);
    mkdirSync(dirname(target), { recursive: true });
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
