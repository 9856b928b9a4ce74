import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RenderedFile, writeRenderedFiles } from '../../../src/plan/render.js';

describe('writeRenderedFiles', () => {
  const file = (host: string, path: string, content: string): RenderedFile => ({ host, role: 'r', task: 't', path, content });
  const files = [
    file('h1', '/etc/containerd/config.toml', 'a'),
    file('h1', '/etc/containerd/certs.d/docker.io/hosts.toml', 'b'),
    file('h2', '/etc/containerd/config.toml', 'c'),
    file('h2', '/var/lib/kubelet/config.yaml', 'd'),
  ];

  it('makes every directory, parents first, and writes each file', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'provision-write-')), 'out');
    writeRenderedFiles(files, out);
    for (const f of files) expect(readFileSync(join(out, f.host, f.path), 'utf8')).to.equal(f.content);
  });

  it('writes again into a tree an earlier render left, and refuses a file where a directory goes', () => {
    const out = mkdtempSync(join(tmpdir(), 'provision-write-'));
    writeRenderedFiles(files, out);
    writeRenderedFiles([...files, file('h1', '/etc/crictl.yaml', 'e')], out);
    expect(readFileSync(join(out, 'h1/etc/crictl.yaml'), 'utf8')).to.equal('e');
    writeFileSync(join(out, 'h3'), 'not a directory');
    expect(() => writeRenderedFiles([file('h3', '/etc/x', 'x')], out)).to.throw(/EEXIST|ENOTDIR/);
  });

  it('makes no directory when there is nothing to write', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'provision-write-')), 'out');
    writeRenderedFiles([], out);
    expect(existsSync(out)).to.equal(false);
  });
});
