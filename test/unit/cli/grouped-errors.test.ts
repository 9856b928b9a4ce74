import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';

describe('errors every host shares are printed once', function () {
  this.timeout(120_000);

  it('render on 10,000 hosts without provision_roles: one message with the count and first hosts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provision-10k-'));
    const hosts = Array.from({ length: 10_000 }, (_, i) => `node${String(i).padStart(5, '0')}`);
    writeFileSync(join(dir, 'hosts'), `[k8s_worker]\n${hosts.join('\n')}\n[k8s_worker:vars]\nkubernetes_version='1.27'\n`);
    const r = runCli(['render', '-i', join(dir, 'hosts')]);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.equal(
      'error: 10000 hosts: host has no roles: set provision_roles (e.g. in group_vars) or pass --role (node00000, node00001, node00002, ... and 9997 more)\n',
    );
  });
});
