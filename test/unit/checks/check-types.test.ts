import { expect } from 'chai';
import { CHECK_TYPES } from '../../../src/checks/check-list.js';
import { probeScript } from '../../../src/facts/probe-script.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

/** Each check type, table-driven: its facts probed for real on this machine, then judged. */
interface Case {
  name: string;
  type: string;
  args: Record<string, unknown>;
  failures: (string | RegExp)[];
}

const cases: Case[] = [
  {
    name: 'a unit that does not exist is not active',
    type: 'unit',
    args: { name: 'provision-no-such.service' },
    failures: ['provision-no-such.service is inactive'],
  },
  { name: 'a unit that does not exist is not running either', type: 'unit', args: { name: 'provision-no-such.service', active: false }, failures: [] },
  {
    name: 'a command that succeeds with matching output',
    type: 'command',
    args: { argv: ['printf', 'Server:\\n  Version: 1\\n'], stdout: '^Server:' },
    failures: [],
  },
  {
    name: 'a command whose output does not match',
    type: 'command',
    args: { argv: ['echo', 'Client only'], stdout: '^Server:', what: 'no server' },
    failures: ['no server: output does not match /^Server:/: Client only'],
  },
  {
    name: 'a failing command, with its last line',
    type: 'command',
    args: { argv: ['sh', '-c', 'echo dial failed; exit 3'] },
    failures: ['sh -c echo dial failed; exit 3: exit 3: dial failed'],
  },
  { name: 'an expected non-zero exit code', type: 'command', args: { argv: ['sh', '-c', 'exit 3'], exit: 3 }, failures: [] },
  {
    name: 'an exit code other than the expected one',
    type: 'command',
    args: { argv: ['true'], exit: 3, what: 'should fail' },
    failures: ['should fail: exit 0 (expected 3)'],
  },
  { name: 'argv words are never shell', type: 'command', args: { argv: ['echo', '$(echo PWNED); touch /tmp/provision-check-canary'] }, failures: [] },
  { name: 'absent paths and commands', type: 'absent', args: { paths: ['/nonexistent/dockerd'], commands: ['provision-no-such-command'] }, failures: [] },
  {
    name: 'a present path and command are named',
    type: 'absent',
    args: { paths: ['/nonexistent/x', '/bin/sh'], commands: ['sh'], what: 'still there' },
    failures: [/^still there: \/bin\/sh, \/(usr\/)?bin\/sh$/],
  },
];

/**
 * containerd_runtimes needs a containerd binary, which this machine has not (the fleet test runs it
 * for real): its judgement is table-driven on the two facts it reads, a config dump and the shims found.
 */
const v2 = (handlers: Record<string, string>) =>
  `version = 2\n${Object.entries(handlers)
    .map(([n, t]) => `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.${n}]\nruntime_type = "${t}"\n`)
    .join('')}`;
const runtimeArgs = (runtimes: unknown[]) => ({
  bin_dir: '/usr/local/bin',
  config: '/etc/containerd/config.toml',
  runtimes,
  systemd_cgroup: true,
  runc_binary: '/usr/local/sbin/runc',
  runsc_config: '/etc/containerd/runsc.toml',
  crun_binary: '/usr/bin/crun',
});
const runtimeCases: {
  name: string;
  runtimes: unknown[];
  dump: { code: number; out: string };
  shims: string;
  failures: (string | RegExp)[];
  warnings: (string | RegExp)[];
}[] = [
  {
    name: 'all handlers loaded, shims present',
    runtimes: ['runc', 'runsc'],
    dump: { code: 0, out: v2({ runc: 'io.containerd.runc.v2', runsc: 'io.containerd.runsc.v1' }) },
    shims: 'containerd-shim-runc-v2\ncontainerd-shim-runsc-v1\n/usr/local/sbin/runc\n',
    failures: [],
    warnings: [],
  },
  {
    name: 'a shim missing only warns',
    runtimes: ['runc', 'runsc'],
    dump: { code: 0, out: v2({ runc: 'io.containerd.runc.v2', runsc: 'io.containerd.runsc.v1' }) },
    shims: 'containerd-shim-runc-v2\n/usr/local/sbin/runc\n',
    failures: [],
    warnings: [/^runtime handler "runsc" needs containerd-shim-runsc-v1, which is not on the node/],
  },
  {
    name: 'a configured handler containerd did not load',
    runtimes: ['runc', 'runsc'],
    dump: { code: 0, out: v2({ runc: 'io.containerd.runc.v2' }) },
    shims: 'containerd-shim-runc-v2\ncontainerd-shim-runsc-v1\n/usr/local/sbin/runc\n',
    failures: ['runtime handler "runsc" is not in containerd\'s loaded config'],
    warnings: [],
  },
  {
    name: 'a handler loaded with another runtime_type',
    runtimes: ['runc'],
    dump: { code: 0, out: v2({ runc: 'io.containerd.runsc.v1' }) },
    shims: 'containerd-shim-runc-v2\n/usr/local/sbin/runc\n',
    failures: ['runtime handler "runc" has runtime_type io.containerd.runsc.v1, expected io.containerd.runc.v2'],
    warnings: [],
  },
  {
    name: "runc's BinaryName missing on the node fails",
    runtimes: ['runc'],
    dump: { code: 0, out: v2({ runc: 'io.containerd.runc.v2' }) },
    shims: 'containerd-shim-runc-v2\n',
    failures: ['runtime handler "runc" runs BinaryName /usr/local/sbin/runc, which is not an executable on the node: every pod it starts would fail'],
    warnings: [],
  },
  {
    name: "crun's BinaryName (crun_binary) missing on the node fails",
    runtimes: ['runc', 'crun'],
    dump: { code: 0, out: v2({ runc: 'io.containerd.runc.v2', crun: 'io.containerd.runc.v2' }) },
    shims: 'containerd-shim-runc-v2\n/usr/local/sbin/runc\n',
    failures: ['runtime handler "crun" runs BinaryName /usr/bin/crun, which is not an executable on the node: every pod it starts would fail'],
    warnings: [],
  },
  {
    name: 'config dump fails',
    runtimes: ['runc'],
    dump: { code: 1, out: 'containerd: failed to load TOML\n' },
    shims: 'containerd-shim-runc-v2\n/usr/local/sbin/runc\n',
    failures: ['containerd config dump failed: containerd: failed to load TOML'],
    warnings: [],
  },
];

describe('check type containerd_runtimes, judged on its facts', () => {
  for (const c of runtimeCases) {
    it(c.name, () => {
      const type = CHECK_TYPES.containerd_runtimes!;
      const args = runtimeArgs(c.runtimes);
      const [dump, shims] = type.facts(args);
      // The dump itself, behind its receipt's quick check (test/unit/facts/config-dump.test.ts).
      expect(dump!.probe).to.contain('out=$(/usr/local/bin/containerd --config /etc/containerd/config.toml config dump 2>&1)');
      const { failures, warnings = [] } = type.judge(
        args,
        new Map<string, unknown>([
          [dump!.key, c.dump],
          [shims!.key, { code: 0, out: c.shims }],
        ]),
      );
      for (const [got, want] of [
        [failures, c.failures],
        [warnings, c.warnings],
      ] as const) {
        expect(got).to.have.length(want.length);
        for (const [i, f] of want.entries()) typeof f === 'string' ? expect(got[i]).to.equal(f) : expect(got[i]).to.match(f);
      }
    });
  }
});

describe('check types (verify:), on this machine', () => {
  for (const c of cases) {
    it(`${c.type}: ${c.name}`, async () => {
      const type = CHECK_TYPES[c.type]!;
      const probes = probeScript(type.facts(c.args));
      const values = probes.parse((await new LocalTransport().run(probes.script)).stdout);
      const { failures } = type.judge(c.args, values);
      expect(failures).to.have.length(c.failures.length);
      for (const [i, f] of c.failures.entries()) typeof f === 'string' ? expect(failures[i]).to.equal(f) : expect(failures[i]).to.match(f);
    });
  }

  it('the argv check ran nothing of its words', async () => {
    const { existsSync } = await import('node:fs');
    expect(existsSync('/tmp/provision-check-canary')).to.equal(false);
  });
});
