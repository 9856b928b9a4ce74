import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configDumpFact, configDumpReceiptPath } from '../../../src/facts/config-dump.js';
import type { FactValues } from '../../../src/facts/fact.js';
import { probeScript } from '../../../src/facts/probe-script.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/**
 * The dump's receipt over the local transport, with a STAND-IN for containerd's binary (a shell
 * script that prints its config and counts its runs): the real binary cannot be asked to count.
 * The receipt lives where provision keeps receipts (/var/lib/provision/receipts): the test removes its own.
 */
describe('containerd config dump, kept in a receipt of its inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-dump-'));
  const bin = join(dir, 'containerd');
  const config = join(dir, 'config.toml');
  const conf = join(dir, 'conf.d');
  const runs = join(dir, 'runs');
  const fact = configDumpFact(bin, config, `${conf}/*.toml`);
  const receipt = configDumpReceiptPath(bin, config);
  const dumps = () => (existsSync(runs) ? readFileSync(runs, 'utf8').length : 0);

  async function gather(record: boolean) {
    const probes = probeScript([fact], { record });
    const r = await new LocalTransport().run(probes.script);
    return (probes.parse(r.stdout) as FactValues).get(fact.key) as { code: number; out: string };
  }

  before(() => {
    writeFileSync(
      bin,
      `#!/bin/sh\nprintf x >> '${runs}'\n[ -f "$2" ] || { echo "no config $2" >&2; exit 1; }\necho 'version = 2'\ncat "$2"\ncat '${conf}'/*.toml 2>/dev/null\nexit 0\n`,
      { mode: 0o755 },
    );
    writeFileSync(config, '[plugins]\n  runc = 1\n');
    mkdirSync(conf);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(receipt, { force: true });
  });

  it('a read-only gather dumps and writes nothing; one inside an apply script keeps the receipt', async () => {
    expect((await gather(false)).out).to.equal('version = 2\n[plugins]\n  runc = 1\n');
    expect(existsSync(receipt)).to.equal(false);
    expect(dumps()).to.equal(1);
    const r = await gather(true);
    expect(r).to.deep.equal({ code: 0, out: 'version = 2\n[plugins]\n  runc = 1\n' });
    expect(existsSync(receipt)).to.equal(true);
    expect(dumps()).to.equal(2);
  });

  it('unchanged inputs answer from the receipt, without starting the binary', async () => {
    expect(await gather(false)).to.deep.equal({ code: 0, out: 'version = 2\n[plugins]\n  runc = 1\n' });
    expect(dumps()).to.equal(2);
  });

  it('an edited config, a new drop-in and a replaced binary each dump again', async () => {
    writeFileSync(config, '[plugins]\n  runc = 2\n');
    expect((await gather(true)).out).to.contain('runc = 2');
    expect(dumps()).to.equal(3);
    writeFileSync(join(conf, '10-x.toml'), 'dropin = 1\n');
    expect((await gather(true)).out).to.contain('dropin = 1');
    expect(dumps()).to.equal(4);
    writeFileSync(bin, readFileSync(bin, 'utf8').replace("echo 'version = 2'", "echo 'version = 3'"), { mode: 0o755 });
    expect((await gather(true)).out).to.match(/^version = 3/);
    expect(dumps()).to.equal(5);
    expect((await gather(false)).out).to.match(/^version = 3\n.*runc = 2.*dropin = 1/s);
    expect(dumps()).to.equal(5);
  });

  it('a config importing files of its own is dumped every time; a failed dump is never kept', async () => {
    writeFileSync(config, 'imports = ["/elsewhere/*.toml"]\n');
    await gather(true);
    await gather(true);
    expect(dumps()).to.equal(7);
    rmSync(receipt);
    rmSync(config);
    expect((await gather(true)).code).to.equal(1);
    expect(existsSync(receipt)).to.equal(false);
  });
});
