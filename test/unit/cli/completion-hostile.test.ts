import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Completion never expands a name: an inventory host named `h$(touch${IFS}MARKER)` is completed
 * after --limit by the real bash, zsh and fish, and MARKER is never created; each shell offers the
 * name as it is (bash: quoted with printf %q, so that the inserted text reads back as the name).
 */
describe('completion of hostile host names (real bash, zsh and fish)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'provision-completion-'));
  const marker = join(dir, 'expanded');
  const hostile = `h$(touch\${IFS}${marker})`;
  const backtick = `hb\`touch\${IFS}${marker}\``;
  const inventory = join(dir, 'hosts.yml');
  writeFileSync(inventory, `all:\n  hosts:\n    '${hostile}': {}\n    '${backtick}': {}\n    'h-plain': {}\n    'h two': {}\n`);
  // The real CLI as the command the scripts call.
  const provision = `provision() { node --import tsx ${process.cwd()}/src/cli/main.ts "$@"; }`;
  const run = (shell: string, args: string[], script: string) => {
    rmSync(marker, { force: true });
    const r = spawnSync(shell, [...args, script], { encoding: 'utf8', timeout: 60_000, cwd: process.cwd() });
    expect(r.status, `${shell}: ${r.stderr}`).to.equal(0);
    expect(existsSync(marker), `${shell} ran the command inside a host name`).to.equal(false);
    return r.stdout.split('\n').filter(Boolean);
  };

  it('the CLI lists the names as they are', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'completion', '--list-hosts', '-i', inventory], { encoding: 'utf8' });
    expect(r.stdout.split('\n')).to.include.members([hostile, backtick, 'h-plain', 'h two']);
  });

  it('bash: offers each name quoted; what it inserts reads back as the name, and nothing runs', () => {
    const offered = run(
      'bash',
      ['-c'],
      `${provision}
source <(provision completion bash)
COMP_WORDS=(provision -i '${inventory}' --limit h); COMP_CWORD=4; _provision
for w in "\${COMPREPLY[@]}"; do eval "set -- $w"; printf '%s\\n' "$1"; done`,
    );
    expect(offered).to.have.members([hostile, backtick, 'h-plain', 'h two']);
  });

  it('zsh: compadd is given each name whole, as one word (compadd quotes it as it inserts)', () => {
    // compadd and compdef exist only under compinit in a widget: captured here as zsh calls them.
    const offered = run(
      'zsh',
      ['-f', '-c'],
      `${provision}
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }
compdef() { :; }
source <(provision completion zsh)
words=(provision -i '${inventory}' --limit h); CURRENT=5; _provision`,
    );
    // zsh's compadd filters by the prefix itself: the groups come along.
    expect(offered).to.include.members([hostile, backtick, 'h-plain', 'h two']);
  });

  it('fish: complete -C offers each name as it is, and nothing runs', () => {
    const offered = run(
      'fish',
      ['--no-config', '-c'],
      `function provision; node --import tsx ${process.cwd()}/src/cli/main.ts $argv; end
provision completion fish | source
complete -C "provision -i ${inventory} --limit h"`,
    );
    expect(offered.map((l) => l.split('\t')[0])).to.have.members([hostile, backtick, 'h-plain', 'h two']);
  });
});
