import type { Command } from 'commander';

/** What a shell completes: each command's flags, and which flags take roles, hosts or files. */
export interface CompletionSpec {
  commands: { name: string; description: string; flags: string[] }[];
  roles: string[];
}

/** Flags whose value is a role name, a host pattern, a file. */
export const ROLE_FLAGS = ['-r', '--role'];
export const HOST_FLAGS = ['-l', '--limit'];
export const FILE_FLAGS = ['-i', '--inventory', '--report', '--report-html', '--known-hosts', '--retry-file', '-o', '--out', '--html'];

/** Read from the commander program itself, so a new flag completes without another edit. */
export function completionSpec(program: Command, roles: string[]): CompletionSpec {
  return {
    commands: program.commands.map((c) => ({
      name: c.name(),
      description: c
        .description()
        .split('\n')[0]!
        .replace(/[`'"$\\]/g, ''),
      flags: c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)),
    })),
    roles,
  };
}
