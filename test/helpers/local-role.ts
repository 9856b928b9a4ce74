import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A one-role roles dir of a test's own in a fresh temp dir, with an inventory of one local host
 * that runs it: for CLI tests on this machine (ansible_connection=local).
 */
export function localRole(name: string, roleYaml: (root: string) => string[], hostVars = '') {
  const root = mkdtempSync(join(tmpdir(), `provision-${name}-`));
  mkdirSync(join(root, 'roles', name), { recursive: true });
  mkdirSync(join(root, 'templates'));
  writeFileSync(join(root, 'roles', name, 'role.yaml'), [...roleYaml(root), ''].join('\n'));
  writeFileSync(join(root, 'hosts'), `[g]\nlocal ansible_connection=local provision_roles="['${name}']"${hostVars ? ` ${hostVars}` : ''}\n`);
  const env = { PROVISION_ROLES_DIR: join(root, 'roles'), PROVISION_TEMPLATE_DIR: join(root, 'templates'), CI: 'true' };
  return { root, env, hosts: join(root, 'hosts') };
}

/** The CLI started on a localRole, its output collected, for tests that signal it mid-run. */
export function spawnCli(role: ReturnType<typeof localRole>, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '-i', role.hosts, '--retry-file', '', ...args], {
    env: { ...process.env, ...role.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as unknown as ChildProcessWithoutNullStreams;
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out, exit };
}

/** Polls until `ready()` holds (or fails after `ms`, saying what never happened). */
export async function waitUntil(ready: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`${what} never happened`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
