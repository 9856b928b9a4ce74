import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { rolesMarkdown } from '../../../src/cli/commands/roles.js';
import { defaultRolesDir, defaultTemplateDir } from '../../../src/core/paths.js';
import { loadRoles } from '../../../src/roles/load-roles.js';
import { versionsMarkdown } from '../../../src/domain/versions-markdown.js';
import { ansibleVariablesMarkdown } from '../../../src/inventory/ansible-variables.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('documents every role and variable exactly as `provision roles --markdown` prints them', () => {
    const block = /<!-- roles:begin[^>]*-->\n([\s\S]*)<!-- roles:end -->/.exec(readme)?.[1];
    expect(block, 'run: npx tsx src/cli/main.ts roles --markdown').to.equal(rolesMarkdown(loadRoles(defaultRolesDir, defaultTemplateDir)));
  });

  it('has the table of Ansible variables exactly as provision treats them', () => {
    const block = /<!-- ansible-variables:begin -->\n([\s\S]*)<!-- ansible-variables:end -->/.exec(readme)?.[1];
    expect(block).to.equal(ansibleVariablesMarkdown());
  });

  it('has the version tables exactly as src/domain holds them', () => {
    const block = /<!-- versions:begin -->\n([\s\S]*)<!-- versions:end -->/.exec(readme)?.[1];
    expect(block).to.equal(versionsMarkdown());
  });

  it('gives the test command that .ci/run runs', () => {
    expect(readme).to.match(/^npm test\b/m);
    expect(readFileSync('.ci/run', 'utf8')).to.match(/^npm test$/m);
  });
});
