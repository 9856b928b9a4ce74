import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import SSHConfig, { glob, type Directive, type Line, type Section } from 'ssh-config';
import { UsageError } from '../core/errors.js';

/**
 * ssh_config's `Include`, as OpenSSH's readconf.c reads it: each argument a path or glob (sorted
 * matches, none is no error), `~` for the home directory, a relative path under ~/.ssh for a user
 * config and /etc/ssh for the system one; the included lines stand where the Include is. An
 * Include inside a Host block is read only when that block matches the host, and a Host line in the
 * included file then starts a block of its own (ssh's SSHCONF_NEVERMATCH and restored activep).
 * Includes nest up to 16 deep, ssh's READCONF_MAX_DEPTH, so a file that includes itself stops.
 * Inside a Match block the included lines stay in that block (its criteria are ssh-config's to test).
 */
export const MAX_INCLUDE_DEPTH = 16;

export interface IncludeContext {
  /** Where relative Include paths start: ~/.ssh for a user config, /etc/ssh for the system one. */
  base: string;
  home?: string;
  /** Included files parsed once per run, whatever the number of hosts looked up. */
  parsed?: Map<string, SSHConfig | undefined>;
}

/** The config's lines for `host`, with every Include replaced by what it includes. */
export function expandIncludes(lines: Line[], host: string, ctx: IncludeContext, depth = 0, chain: string[] = []): SSHConfig {
  const out = SSHConfig.parse('');
  for (const line of lines) {
    if (isDirective(line, 'include')) out.push(...included(line as Directive, host, ctx, depth, chain));
    else if (isSection(line) && line.config.some((l) => isDirective(l, 'include'))) out.push(...sectionWithIncludes(line, host, ctx, depth, chain));
    else out.push(line);
  }
  return out;
}

/**
 * A Host (or Match) block holding Includes: its own lines before, between and after them keep the
 * block's condition; an included file's lines before its first Host join the block; its Host
 * blocks follow as blocks of their own, read only when this block matched.
 */
function sectionWithIncludes(section: Section, host: string, ctx: IncludeContext, depth: number, chain: string[]): Line[] {
  const isMatch = /^match$/i.test(section.param);
  const active = isMatch || glob(patterns(section.value), host);
  const out: Line[] = [];
  let current: Section = { ...section, config: SSHConfig.parse('') };
  out.push(current);
  for (const sub of section.config) {
    if (!isDirective(sub, 'include')) {
      current.config.push(sub);
      continue;
    }
    if (!active) continue;
    const lines = included(sub as Directive, host, ctx, depth, chain);
    const firstBlock = lines.findIndex(isSection);
    const loose = firstBlock < 0 ? lines : lines.slice(0, firstBlock);
    current.config.push(...loose);
    if (firstBlock < 0) continue;
    out.push(...lines.slice(firstBlock));
    // The rest of this block's own lines: the block again, as ssh restores its state after the Include.
    current = { ...section, config: SSHConfig.parse('') };
    out.push(current);
  }
  return out;
}

function included(line: Directive, host: string, ctx: IncludeContext, depth: number, chain: string[]): Line[] {
  if (depth + 1 > MAX_INCLUDE_DEPTH) {
    throw new UsageError(`ssh_config: Include nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?): ${[...chain].join(' -> ')}`, { file: chain.at(-1) });
  }
  const out: Line[] = [];
  const parsed = ctx.parsed ?? new Map<string, SSHConfig | undefined>();
  ctx.parsed = parsed;
  for (const arg of patterns(line.value)) {
    for (const file of globFiles(anchored(arg, ctx))) {
      if (!parsed.has(file)) {
        const text = readIncluded(file);
        parsed.set(file, text === undefined ? undefined : SSHConfig.parse(text));
      }
      const lines = parsed.get(file);
      if (lines) out.push(...expandIncludes(lines, host, ctx, depth + 1, [...chain, file]));
    }
  }
  return out;
}

function readIncluded(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A glob match that is a directory, or gone since: ssh reads nothing from it either.
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw new UsageError(`cannot read ssh_config Include file ${file}: ${code ?? (e as Error).message}`, { file });
  }
}

/** `~/x` from the home directory, `x` from ~/.ssh (user config) or /etc/ssh (system config). */
function anchored(path: string, ctx: IncludeContext): string {
  const home = ctx.home ?? homedir();
  if (path === '~' || path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : join(ctx.base, path);
}

/** glob(3) over an absolute path: `*`, `?` and `[...]` in any component, matches sorted, dot files only by a dot. */
export function globFiles(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return [pattern];
  let paths = ['/'];
  for (const part of pattern.split('/').filter(Boolean)) {
    if (!/[*?[]/.test(part)) {
      paths = paths.map((p) => join(p, part));
      continue;
    }
    const re = componentRegex(part);
    paths = paths.flatMap((dir) =>
      listDir(dir)
        .filter((name) => re.test(name) && (part.startsWith('.') || !name.startsWith('.')))
        .map((name) => join(dir, name)),
    );
  }
  return paths.sort();
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function componentRegex(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i]!;
    const close = c === '[' ? part.indexOf(']', i + 2) : -1;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (close > 0) {
      const body = part.slice(i + 1, close);
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\/[\]]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return /$^/;
  }
}

function patterns(value: Directive['value']): string[] {
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value.map((v) => v.val);
}

function isDirective(line: Line, param: string): boolean {
  return line.type === SSHConfig.DIRECTIVE && line.param.toLowerCase() === param;
}

function isSection(line: Line): line is Section {
  return line.type === SSHConfig.DIRECTIVE && 'config' in line;
}
