import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { labelProblems } from '../../../src/rollout/node-labels.js';
import { runCli } from '../../helpers/cli.js';

/** provision_node_labels: the label rules, and the RuntimeClass manifests selecting nodes by them. */
describe('node labels and RuntimeClass scheduling', function () {
  this.timeout(60_000);

  it('accepts Kubernetes label keys and values, and names each bad entry', () => {
    expect(labelProblems({ 'node.kubernetes.io/container-runtime': 'containerd', runtime: '', 'example.com/gvisor': true })).to.deep.equal([]);
    expect(labelProblems({ 'Bad_Prefix.com/x': 'y', 'a/-b': 'c', ok: 'has space', long: 'x'.repeat(64), nested: { a: 1 } })).to.deep.equal([
      'label "Bad_Prefix.com/x": the prefix must be a DNS subdomain',
      'label "a/-b": the name must be 1-63 letters, digits, "-", "_" or "." beginning and ending with a letter or digit',
      'label "ok": the value "has space" must be empty or 1-63 letters, digits, "-", "_" or "."',
      `label "long": the value "${'x'.repeat(64)}" must be empty or 1-63 letters, digits, "-", "_" or "."`,
      'label "nested": the value {"a":1} must be empty or 1-63 letters, digits, "-", "_" or "."',
    ]);
    expect(labelProblems(['a'])).to.have.length(1);
  });

  const runtimeClasses = (extra: Record<string, unknown>) => {
    const r = runCli([
      'render',
      '-i',
      'inventories/example/hosts.ini',
      '--limit',
      'worker96',
      '-e',
      JSON.stringify({ containerd_runtimes: ['runc', 'runsc', 'kata'], ...extra }),
    ]);
    expect(r.code, r.stderr).to.equal(0);
    const file = /# ==> worker96:\/etc\/containerd\/runtime-classes\.yaml[^\n]*\n([\s\S]*?)(?=\n# ==> |$)/.exec(r.stdout)?.[1];
    return parseAllDocuments(file ?? '')
      .map((d) => d.toJS())
      .filter(Boolean);
  };

  it('the RuntimeClass manifests select nodes by provision_node_labels, and carry no scheduling without them', () => {
    const labelled = runtimeClasses({ provision_node_labels: { 'node.kubernetes.io/container-runtime': 'containerd', 'example.com/sandbox': 'yes' } });
    expect(labelled.map((c) => [c.metadata.name, c.handler, c.scheduling])).to.deep.equal(
      [
        ['gvisor', 'runsc'],
        ['kata', 'kata'],
      ].map(([name, handler]) => [name, handler, { nodeSelector: { 'node.kubernetes.io/container-runtime': 'containerd', 'example.com/sandbox': 'yes' } }]),
    );
    expect(runtimeClasses({}).map((c) => c.scheduling)).to.deep.equal([undefined, undefined]);
  });
});
