import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { runCli } from '../../helpers/cli.js';

/** Runs the real bash completion function on a command line, as bash would on <Tab>. */
function complete(words: string[]): string[] {
  const script = `
provision() { node --import tsx src/cli/main.ts "$@"; }
source <(provision completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _provision
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('provision completion and --version', function () {
  this.timeout(60_000);

  it('bash completes commands, flags, role names and inventory hosts and groups', () => {
    expect(complete(['provision', 're'])).to.deep.equal(['restore', 'render', 'report']);
    expect(complete(['provision', 'render', '--o'])).to.deep.equal(['--out']);
    expect(complete(['provision', '-r', 'inst'])).to.deep.equal(['install-cni', 'install-containerd', 'install-runc']);
    expect(complete(['provision', '-i', 'inventories/example/hosts.ini', '--limit', 'k8s'])).to.have.members(['k8s', 'k8s_worker']);
    expect(complete(['provision', '-i', 'inventories/example/hosts.ini', '-l', 'worker9'])).to.deep.equal(['worker96', 'worker97', 'worker98', 'worker99']);
  });

  it('zsh and fish scripts name every command and role', () => {
    for (const shell of ['zsh', 'fish']) {
      const r = runCli(['completion', shell]);
      expect(r.code, r.stderr).to.equal(0);
      for (const word of ['apply', 'inventory', 'restore', 'render', 'roles', 'install-containerd', '--limit'.slice(shell === 'fish' ? 2 : 0)]) {
        expect(r.stdout, `${shell}: ${word}`).to.include(word);
      }
    }
    expect(runCli(['completion', 'tcsh']).code).to.equal(5);
  });

  it('--version prints the version and where roles and templates load from', () => {
    const r = runCli(['--version'], { env: { PROVISION_ROLES_DIR: '/srv/roles' } });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout)
      .to.match(/^provision \d+\.\d+\.\d+\n/)
      .and.match(/roles directory += \/srv\/roles \(PROVISION_ROLES_DIR\)/)
      .and.match(/templates directory += \S+templates/);
  });
});
