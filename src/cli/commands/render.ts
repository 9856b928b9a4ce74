import { parseExtraVars } from '../../inventory/extra-vars.js';
import { prepareRun } from '../../plan/prepare.js';
import { formatRenderedFiles, renderedFiles, writeRenderedFiles } from '../../plan/render.js';
import { err, out } from '../terminal-text.js';

export interface RenderOptions {
  inventory: string[];
  limit?: string;
  role?: string[];
  extraVars?: string[];
  out?: string;
}

/** `provision render`: every file the selected roles would write, without connecting anywhere. */
export async function renderCommand(opts: RenderOptions): Promise<void> {
  const run = prepareRun({
    inventory: opts.inventory,
    limit: opts.limit,
    roles: opts.role ?? [],
    extraVars: parseExtraVars(opts.extraVars ?? []),
  });
  for (const w of run.warnings) err(`[WARNING]: ${w}\n`);
  const files = renderedFiles(run.hosts);
  if (opts.out) {
    writeRenderedFiles(files, opts.out);
    out(`rendered ${files.length} files for ${run.hosts.length} hosts into ${opts.out}/<host>/\n`);
  } else {
    out(formatRenderedFiles(files));
  }
}
