/**
 * How the built CLI starts (dist/bundle/main.js, what `bin` runs): a `#!/bin/sh` line that execs node.
 *
 * Why not `#!/usr/bin/env node`: Node 20, built with OpenSSL 3, builds its whole root certificate store
 * at start-up whenever NODE_EXTRA_CA_CERTS is set (nodejs/node#40524, open), before any JavaScript runs,
 * even for a process that never opens a TLS connection. On the 2-core bench machine, where the variable
 * names the system's 150-certificate bundle, that is 62 ms of CPU at every start: `node -e 0` costs 87 ms
 * with it and 22 ms without it (bench:cli prints both). The commands below never open a TLS connection
 * (only apply's HTTP gates do, with fetch), so for them the launcher moves the variable aside before
 * node starts, and `restoreExtraCaCerts` puts it back into the environment first thing, so that every
 * process the CLI runs (a vault password script, an inventory script) inherits it as the user set it.
 * Every other first argument, apply (the default command) included, starts node with the variable as is.
 */

/** The first arguments whose command never opens a TLS connection (keep in step with main.ts's table). */
export const TLS_FREE_FIRST_ARGS = ['--version', '-h', '--help', 'help', 'completion', 'render', 'inventory', 'roles', 'report'] as const;

/** Where the launcher keeps NODE_EXTRA_CA_CERTS while node starts without it. */
export const SAVED_EXTRA_CA_CERTS = 'PROVISION_SAVED_NODE_EXTRA_CA_CERTS';

/**
 * The V8 options the built CLI runs with (the launcher passes them; bench:scale starts its runs with them too).
 * --heap-growing-percent=100: after each full collection V8 lets the heap grow to twice what is live before the
 * next, where its own dynamic factor goes up to four times (tuned for throughput). A rollout with a thousand hosts
 * in flight keeps little live (about 180 MB at 10,000 hosts) but allocates fast: with the default the heap reached
 * 850 MiB between collections and peak RSS passed 1 GiB (bench:scale, 10,000 hosts, forks 1,000); with twice, 1,000
 * hosts at forks 1,000 went from 569 to 398 MiB at no more CPU. It sets no limit: the heap still grows as far as
 * what is live needs.
 */
export const CLI_NODE_OPTIONS = ['--heap-growing-percent=100'] as const;

/**
 * The file's second line, read by sh and a comment to JavaScript (`':'` is an expression, `//` starts a
 * comment). sh never reads past it: it ends in exec. `"$0"` is the path sh was started with; node
 * resolves it through the npm bin symlink itself, as it does for `#!/usr/bin/env node`.
 */
export function launcherLine(): string {
  const save = `if [ -n "\${NODE_EXTRA_CA_CERTS+set}" ]; then ${SAVED_EXTRA_CA_CERTS}=$NODE_EXTRA_CA_CERTS; export ${SAVED_EXTRA_CA_CERTS}; unset NODE_EXTRA_CA_CERTS; fi`;
  return `':' //; case "$1" in ${TLS_FREE_FIRST_ARGS.join('|')}) ${save};; esac; exec node ${CLI_NODE_OPTIONS.join(' ')} "$0" "$@"`;
}

/** Puts back what the launcher moved aside (a no-op when started any other way). */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const saved = env[SAVED_EXTRA_CA_CERTS];
  if (saved === undefined) return;
  env.NODE_EXTRA_CA_CERTS = saved;
  delete env[SAVED_EXTRA_CA_CERTS];
}
