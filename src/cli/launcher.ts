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
 * The same commands connect to no node either, so they start without the rollout's V8 options (below).
 */

/** The first arguments whose command never opens a TLS connection nor connects to a node (keep in step with main.ts's table). */
export const TLS_FREE_FIRST_ARGS = ['--version', '-h', '--help', 'help', 'completion', 'render', 'inventory', 'roles', 'report'] as const;

/** Where the launcher keeps NODE_EXTRA_CA_CERTS while node starts without it. */
export const SAVED_EXTRA_CA_CERTS = 'PROVISION_SAVED_NODE_EXTRA_CA_CERTS';

/**
 * The V8 options a rollout runs with: the launcher passes them to every command but the TLS_FREE_FIRST_ARGS ones
 * (bench:scale starts its runs with them too). Those commands run in a fraction of a second and would pay for them:
 * node given this option took about 10 ms more CPU to start the bundle (`--version`: 44 against 53 ms,
 * fastest of 20, 2026-12-02), more than a short command's heap ever costs.
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
  // $provision_v8 unquoted: split into the options (each one word, no pattern character), or no argument at all when empty.
  return `':' //; provision_v8='${CLI_NODE_OPTIONS.join(' ')}'; case "$1" in ${TLS_FREE_FIRST_ARGS.join('|')}) ${save}; provision_v8=;; esac; exec node $provision_v8 "$0" "$@"`;
}

/** Puts back what the launcher moved aside (a no-op when started any other way). */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const saved = env[SAVED_EXTRA_CA_CERTS];
  if (saved === undefined) return;
  env.NODE_EXTRA_CA_CERTS = saved;
  delete env[SAVED_EXTRA_CA_CERTS];
}
