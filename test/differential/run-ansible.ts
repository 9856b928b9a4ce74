import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface AnsibleJob {
  cli: 'inventory' | 'adhoc';
  argv: string[];
  cwd: string;
}

export interface AnsibleResult {
  rc: number;
  stdout: string;
  stderr: string;
}

const DRIVER = fileURLToPath(new URL('./ansible-driver.py', import.meta.url));

/** The Python that runs ansible-core: the interpreter named by `ansible-inventory`'s shebang. */
export function ansiblePython(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v ansible-inventory'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (which.status !== 0 || !bin) return undefined;
  const shebang = readFileSync(bin, 'utf8').split('\n')[0] ?? '';
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
  if (!m) return undefined;
  return m[1]!.endsWith('/env') ? m[2] : m[1];
}

/**
 * Runs many ansible CLI invocations through the fork-per-run driver (see ansible-driver.py),
 * `parallel` at a time, in a clean environment: no ansible.cfg, HOME in `home`.
 */
export function runAnsible(jobs: AnsibleJob[], home: string, parallel = 2): AnsibleResult[] {
  const python = ansiblePython();
  if (!python) throw new Error('ansible-core is not installed (ansible-inventory not found): apt-get install ansible-core');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    DRIVER_PARALLEL: String(parallel),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: `${home}/tmp`,
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
    ANSIBLE_DEPRECATION_WARNINGS: 'false',
    ANSIBLE_LOCALHOST_WARNING: 'false',
  };
  const run = spawnSync(python, [DRIVER], { input: JSON.stringify(jobs), env, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`ansible driver failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as AnsibleResult[];
}
