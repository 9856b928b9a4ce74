import { declaredBy } from '../../helpers/roles.js';
import { expect } from 'chai';
import { dockerCarry } from '../../../src/domain/docker-carry.js';
import { imagesToMigrate } from '../../../src/domain/docker-images.js';
import { DOCKER_SETTINGS } from '../../../src/domain/docker-settings.js';
import { logCollectorsIn, logFormatNote } from '../../../src/domain/workload-notes.js';
import { type DockerSettingsFacts, parseDockerSettings } from '../../../src/facts/docker-daemon-files.js';
import { CARRY_ROLES, CARRY_VARS } from '../../helpers/carry-vars.js';

/**
 * Every Docker setting that is carried (src/domain/docker-settings.ts DOCKER_SETTINGS), one case
 * each at least: daemon.json and certs.d as the probe reads them -> the variables the roles get,
 * the problems that refuse the host and the notes. Sources are the table's.
 */
const b64 = (s: string) => Buffer.from(s).toString('base64');
const VARS = CARRY_VARS;
const ROLES = CARRY_ROLES;

function node(daemon: object | string, extra: string[] = []): DockerSettingsFacts {
  const json = typeof daemon === 'string' ? daemon : JSON.stringify(daemon);
  return parseDockerSettings(
    ['source /etc/docker', `daemon ${b64(json)}`, ...extra, 'data-root / /dev/sda1 /var/lib/docker', 'containerd-root / /dev/sda1'].join('\n'),
  );
}

interface Case {
  setting: string;
  name: string;
  facts: DockerSettingsFacts;
  vars?: Record<string, unknown>;
  expect: { vars?: Record<string, unknown>; problems?: RegExp[]; notes?: RegExp[] };
}

const cases: Case[] = [
  {
    setting: 'daemon.json registry-mirrors',
    name: 'mirrors become docker.io hosts, in order, before registry-1.docker.io',
    facts: node({ 'registry-mirrors': ['https://m1.example/', 'https://m2.example:5000'] }),
    expect: {
      vars: {
        containerd_registry_hosts: {
          'docker.io': {
            server: 'https://registry-1.docker.io',
            hosts: [
              { url: 'https://m1.example', capabilities: ['pull', 'resolve'] },
              { url: 'https://m2.example:5000', capabilities: ['pull', 'resolve'] },
            ],
          },
        },
      },
    },
  },
  {
    setting: 'daemon.json registry-mirrors',
    name: 'the inventory wins over a carried mirror, and the conflict is a note',
    facts: node({ 'registry-mirrors': ['https://old.example'] }),
    vars: { containerd_registry_mirrors: { 'docker.io': ['https://new.example'] } },
    expect: {
      vars: {
        containerd_registry_hosts: {
          'docker.io': { server: 'https://registry-1.docker.io', hosts: [{ url: 'https://new.example', capabilities: ['pull', 'resolve'] }] },
        },
      },
      notes: [/registry docker.io: containerd_registry_mirrors \(https:\/\/new.example\) wins over what Docker had \(https:\/\/old.example\)/],
    },
  },
  {
    setting: 'daemon.json registry-mirrors',
    name: 'a mirror that is no URL is not carried',
    facts: node({ 'registry-mirrors': ['mirror.example'] }),
    expect: { vars: { containerd_registry_hosts: {} }, notes: [/"mirror.example" is not an http\(s\) URL: not carried/] },
  },
  {
    setting: 'daemon.json insecure-registries',
    name: 'HTTPS without verification, then plain HTTP, as Docker tries them',
    facts: node({ 'insecure-registries': ['reg.example:5000'] }),
    expect: {
      vars: {
        containerd_registry_hosts: {
          'reg.example:5000': {
            server: 'https://reg.example:5000',
            hosts: [
              { url: 'https://reg.example:5000', capabilities: ['pull', 'resolve', 'push'], skip_verify: true },
              { url: 'http://reg.example:5000', capabilities: ['pull', 'resolve', 'push'] },
            ],
          },
        },
      },
    },
  },
  {
    setting: 'daemon.json insecure-registries',
    name: 'a mirror listed as insecure gets skip_verify; a CIDR range is a note',
    facts: node({ 'registry-mirrors': ['https://m.example:5000'], 'insecure-registries': ['m.example:5000', '10.0.0.0/8'] }),
    expect: {
      vars: {
        containerd_registry_hosts: {
          'docker.io': {
            server: 'https://registry-1.docker.io',
            hosts: [{ url: 'https://m.example:5000', capabilities: ['pull', 'resolve'], skip_verify: true }],
          },
          'm.example:5000': {
            server: 'https://m.example:5000',
            hosts: [
              { url: 'https://m.example:5000', capabilities: ['pull', 'resolve', 'push'], skip_verify: true },
              { url: 'http://m.example:5000', capabilities: ['pull', 'resolve', 'push'] },
            ],
          },
        },
      },
      notes: [/10.0.0.0\/8 is a CIDR range/],
    },
  },
  {
    setting: 'certs.d/<registry>/*.crt',
    name: 'a CA is copied and referenced by ca',
    facts: node({}, ['cert 644 reg.example ca.crt', 'cert 644 reg.example README']),
    expect: {
      vars: {
        containerd_registry_hosts: {
          'reg.example': {
            server: 'https://reg.example',
            hosts: [{ url: 'https://reg.example', capabilities: ['pull', 'resolve', 'push'], ca: ['/etc/containerd/certs.d/reg.example/ca.crt'] }],
          },
        },
        docker_carried_certs: [
          { name: 'reg.example/ca.crt', src: '/etc/docker/certs.d/reg.example/ca.crt', dest: '/etc/containerd/certs.d/reg.example/ca.crt', mode: '0644' },
        ],
      },
    },
  },
  {
    setting: 'certs.d/<registry>/*.crt',
    name: "a mirror's CA goes with the mirror's docker.io host",
    facts: node({ 'registry-mirrors': ['https://m.example'] }, ['cert 644 m.example ca.crt']),
    expect: {
      vars: {
        containerd_registry_hosts: {
          'docker.io': {
            server: 'https://registry-1.docker.io',
            hosts: [{ url: 'https://m.example', capabilities: ['pull', 'resolve'], ca: ['/etc/containerd/certs.d/m.example/ca.crt'] }],
          },
        },
      },
    },
  },
  {
    setting: 'certs.d/<registry>/*.cert + *.key',
    name: 'a client certificate and its key become client = [[cert, key]]; the key keeps mode 0600',
    facts: node({}, ['cert 644 reg.example client.cert', 'cert 600 reg.example client.key']),
    expect: {
      vars: {
        containerd_registry_hosts: {
          'reg.example': {
            server: 'https://reg.example',
            hosts: [
              {
                url: 'https://reg.example',
                capabilities: ['pull', 'resolve', 'push'],
                client: [['/etc/containerd/certs.d/reg.example/client.cert', '/etc/containerd/certs.d/reg.example/client.key']],
              },
            ],
          },
        },
        docker_carried_certs: [
          {
            name: 'reg.example/client.cert',
            src: '/etc/docker/certs.d/reg.example/client.cert',
            dest: '/etc/containerd/certs.d/reg.example/client.cert',
            mode: '0644',
          },
          {
            name: 'reg.example/client.key',
            src: '/etc/docker/certs.d/reg.example/client.key',
            dest: '/etc/containerd/certs.d/reg.example/client.key',
            mode: '0600',
          },
        ],
      },
    },
  },
  {
    setting: 'daemon.json exec-opts native.cgroupdriver',
    name: 'cgroupfs under Docker while containerd gets systemd: refused',
    facts: node({ 'exec-opts': ['native.cgroupdriver=cgroupfs'] }),
    expect: { problems: [/Docker runs with the cgroupfs cgroup driver .* set containerd_systemd_cgroup: false/] },
  },
  {
    setting: 'daemon.json exec-opts native.cgroupdriver',
    name: 'the same driver on both sides: no problem',
    facts: node({ 'exec-opts': ['native.cgroupdriver=systemd'] }),
    expect: { problems: [] },
  },
  {
    setting: 'daemon.json log-opts max-size',
    name: "Docker's binary units become quantities: 10m -> 10Mi",
    facts: node({ 'log-opts': { 'max-size': '10m' } }),
    expect: { vars: { docker_carried_kubelet_config: { containerLogMaxSize: '10Mi' } } },
  },
  {
    setting: 'daemon.json log-opts max-size',
    name: '1g -> 1Gi, and kubelet_config wins when it sets the size',
    facts: node({ 'log-opts': { 'max-size': '1g', 'max-file': '4' } }),
    vars: { kubelet_config: { containerLogMaxSize: '50Mi' } },
    expect: { vars: { docker_carried_kubelet_config: { containerLogMaxFiles: 4 } } },
  },
  {
    setting: 'daemon.json log-opts max-file',
    name: 'max-file becomes containerLogMaxFiles',
    facts: node({ 'log-driver': 'json-file', 'log-opts': { 'max-file': '3' } }),
    expect: { vars: { docker_carried_kubelet_config: { containerLogMaxFiles: 3 } } },
  },
  {
    setting: 'daemon.json log-opts max-file',
    name: "1 becomes kubelet's minimum, 2, with a note",
    facts: node({ 'log-opts': { 'max-file': '1' } }),
    expect: { vars: { docker_carried_kubelet_config: { containerLogMaxFiles: 2 } }, notes: [/kubelet keeps at least 2 files/] },
  },
  {
    setting: 'daemon.json log-opts max-file',
    name: 'log-driver journald: log-opts not carried',
    facts: node({ 'log-driver': 'journald', 'log-opts': { 'max-file': '3' } }),
    expect: { vars: { docker_carried_kubelet_config: {} }, notes: [/log-driver journald: its log-opts are not kubelet's rotation/] },
  },
  {
    setting: 'daemon.json data-root',
    name: 'a data root on its own disk is a note saying how to point containerd_root there',
    facts: parseDockerSettings(
      ['source /etc/docker', `daemon ${b64('{"data-root":"/data/docker"}')}`, 'data-root /data /dev/sdb1 /data/docker', 'containerd-root / /dev/sda1'].join(
        '\n',
      ),
    ),
    expect: { notes: [/data root \/data\/docker is on its own mount \(\/dev\/sdb1 at \/data\).* set containerd_root: \/data\/containerd/] },
  },
  {
    setting: 'daemon.json data-root',
    name: 'on the same disk as containerd: nothing to say',
    facts: node({ 'data-root': '/var/lib/docker' }),
    expect: { notes: [] },
  },
  {
    setting: 'daemon.json runtimes',
    name: "a GPU node's nvidia runtime becomes a runc-type handler running nvidia-container-runtime",
    facts: node({ runtimes: { nvidia: { path: 'nvidia-container-runtime', runtimeArgs: [] } } }),
    expect: {
      vars: {
        containerd_runtime_handlers: [
          'runc',
          {
            name: 'nvidia',
            runtime_type: 'io.containerd.runc.v2',
            options: { SystemdCgroup: true, BinaryName: 'nvidia-container-runtime' },
            runtime_class: 'nvidia',
          },
        ],
      },
      notes: [/daemon\.json runtimes\.nvidia carried as containerd handler nvidia \(io\.containerd\.runc\.v2, BinaryName nvidia-container-runtime\)/],
    },
  },
  {
    setting: 'daemon.json runtimes',
    name: 'runtimeArgs: --root is carried as Root, the rest is reported; a runtimeType entry keeps its shim and options',
    facts: node({
      runtimes: {
        'custom-runc': { path: '/opt/runc/bin/runc', runtimeArgs: ['--root', '/run/custom', '--debug'] },
        gvisor: { runtimeType: 'io.containerd.runsc.v1', options: { TypeUrl: 'io.containerd.runsc.v1.options' } },
      },
    }),
    expect: {
      vars: {
        containerd_runtime_handlers: [
          'runc',
          {
            name: 'custom-runc',
            runtime_type: 'io.containerd.runc.v2',
            options: { SystemdCgroup: true, BinaryName: '/opt/runc/bin/runc', Root: '/run/custom' },
            runtime_class: 'custom-runc',
          },
          { name: 'gvisor', runtime_type: 'io.containerd.runsc.v1', options: { TypeUrl: 'io.containerd.runsc.v1.options' }, runtime_class: 'gvisor' },
        ],
      },
      notes: [/runtimeArgs --debug cannot be carried/, /custom-runc carried/, /gvisor carried/],
    },
  },
  {
    setting: 'daemon.json runtimes',
    name: 'an inventory handler of the same name wins, and the difference is reported; a name no RuntimeClass can use is not carried',
    facts: node({ runtimes: { nvidia: { path: '/usr/local/nvidia/toolkit/nvidia-container-runtime' }, My_Runtime: { path: '/bin/x' } } }),
    vars: { containerd_runtimes: ['runc', 'nvidia'] },
    expect: {
      vars: { containerd_runtime_handlers: undefined },
      notes: [
        /runtimes\.My_Runtime: "My_Runtime" is no containerd handler name/,
        /runtime nvidia: containerd_runtimes \(io\.containerd\.runc\.v2, BinaryName \/usr\/bin\/nvidia-container-runtime\) wins over what Docker had \(io\.containerd\.runc\.v2, BinaryName \/usr\/local\/nvidia\/toolkit\/nvidia-container-runtime/,
      ],
    },
  },
  {
    setting: 'daemon.json default-runtime',
    name: "Docker's default runtime becomes containerd's default",
    facts: node({ runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime' } }, 'default-runtime': 'nvidia' }),
    expect: {
      vars: { containerd_default_runtime: 'nvidia' },
      notes: [/nvidia carried/, /default-runtime nvidia carried: containerd's default runtime is nvidia/],
    },
  },
  {
    setting: 'daemon.json default-runtime',
    name: 'an inventory default other than runc wins, and the difference is reported',
    facts: node({ runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime' } }, 'default-runtime': 'nvidia' }),
    vars: { containerd_runtimes: ['runc', 'runsc'], containerd_default_runtime: 'runsc' },
    expect: {
      notes: [
        /nvidia carried/,
        /default-runtime nvidia carried/,
        /containerd_default_runtime runsc \(the inventory's\) wins over Docker's default-runtime nvidia/,
      ],
    },
  },
  {
    setting: 'daemon.json default-runtime',
    name: "runc (Docker's own default) changes nothing; an unknown name is reported",
    facts: node({ 'default-runtime': 'sysbox-runc' }),
    expect: { vars: { containerd_default_runtime: undefined }, notes: [/default-runtime sysbox-runc names no carried runtime/] },
  },
];

describe("Docker's settings carried into containerd and kubelet: daemon.json and certs.d -> variables, problems, notes", () => {
  for (const c of cases) {
    it(`${c.setting}: ${c.name}`, () => {
      const carry = dockerCarry(c.facts, { ...VARS, ...c.vars }, declaredBy(ROLES));
      for (const [k, v] of Object.entries(c.expect.vars ?? {})) expect(carry.vars[k], k).to.deep.equal(v);
      if (c.expect.problems) {
        expect(carry.problems).to.have.length(c.expect.problems.length);
        for (const [i, re] of c.expect.problems.entries()) expect(carry.problems[i]).to.match(re);
      }
      if (c.expect.notes) {
        expect(carry.notes, carry.notes.join('\n')).to.have.length(c.expect.notes.length);
        for (const [i, re] of c.expect.notes.entries()) expect(carry.notes[i]).to.match(re);
      }
    });
  }

  it('every row of the table has a case, and a source', () => {
    for (const row of DOCKER_SETTINGS) {
      expect(row.source, row.setting).to.match(/https:\/\//);
      expect(
        cases.some((c) => c.setting === row.setting),
        row.setting,
      ).to.equal(true);
    }
  });

  it('a second run reads the state file it wrote and plans exactly the same', () => {
    const first = dockerCarry(
      node({ 'registry-mirrors': ['https://m.example'], 'insecure-registries': ['r:5000'], 'log-opts': { 'max-size': '5m' }, bridge: 'none' }, [
        'cert 644 r:5000 ca.crt',
      ]),
      VARS,
      declaredBy(ROLES),
    );
    // What the role writes to docker_settings_state_file, read back by the probe's "state" branch.
    const state = JSON.stringify(first.vars.docker_settings_state);
    const second = dockerCarry(parseDockerSettings(`source state\ndaemon ${b64(state)}\n`), VARS, declaredBy(ROLES));
    expect(second.vars).to.deep.equal({ ...first.vars, docker_migrate_images: false });
    expect(JSON.stringify(second.vars.docker_settings_state)).to.equal(state);
  });

  it("a daemon.json with nothing to carry (the fleet image's bridge settings) keeps no state file", () => {
    const carry = dockerCarry(node({ bridge: 'none', iptables: false }), VARS, declaredBy(ROLES));
    expect(carry.vars).to.not.have.property('docker_settings_state');
    expect(carry.notes).to.deep.equal([]);
  });

  it('docker_carry_settings: false carries nothing', () => {
    const carry = dockerCarry(node({ 'registry-mirrors': ['https://m.example'] }), { ...VARS, docker_carry_settings: false }, declaredBy(ROLES));
    expect(carry.vars).to.not.have.property('containerd_registry_hosts');
  });

  it('daemon.json that is not JSON is a note, and nothing of it is carried', () => {
    const carry = dockerCarry(node('{ "registry-mirrors": [ '), VARS, declaredBy(ROLES));
    expect(carry.notes[0]).to.match(/not valid JSON/);
    expect(carry.vars).to.not.have.property('containerd_registry_hosts');
    expect(carry.vars).to.not.have.property('docker_settings_state');
  });
});

describe('image handover: which images leave Docker', () => {
  const facts = parseDockerSettings(
    [
      'source none',
      'docker-active',
      'image sha256:aaa 3000000 reg:5000/app:1.0,reg:5000/app:latest,',
      'image sha256:bbb 9000000 local/unused:2.0,',
      'image sha256:ccc 1000 ',
      'image sha256:ddd 500000000 big/image:1,',
      'container sha256:aaa',
      'container sha256:ccc',
      'container sha256:ddd',
    ].join('\n'),
  );
  const cases: { name: string; opts: { all: boolean; maxBytes: number }; images: string[]; skipped: RegExp[] }[] = [
    {
      name: "those the node's containers use; untagged and over-budget ones listed as skipped",
      opts: { all: false, maxBytes: 100 * 1024 * 1024 },
      images: ['reg:5000/app:1.0', 'reg:5000/app:latest'],
      skipped: [/^sha256:ccc \(untagged\)$/, /^big\/image:1 \(477 MiB: over docker_migrate_images_max_mb\)$/],
    },
    {
      name: 'all of them, with docker_migrate_all_images',
      opts: { all: true, maxBytes: 1024 * 1024 * 1024 },
      images: ['big/image:1', 'local/unused:2.0', 'reg:5000/app:1.0', 'reg:5000/app:latest'],
      skipped: [/untagged/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = imagesToMigrate(facts, c.opts);
      expect(r.images).to.deep.equal(c.images);
      expect(r.skipped).to.have.length(c.skipped.length);
      for (const [i, re] of c.skipped.entries()) expect(r.skipped[i]).to.match(re);
    });
  }

  it('none once Docker is gone (a second run exports nothing)', () => {
    expect(imagesToMigrate({ ...facts, dockerActive: false }, { all: true, maxBytes: 1e12 }).images).to.deep.equal([]);
  });

  it('docker_migrate_images "auto" follows whether Docker runs; the skipped images are a note', () => {
    const carry = dockerCarry(facts, { ...VARS, docker_migrate_images_max_mb: 100 }, declaredBy(ROLES));
    expect(carry.vars.docker_migrate_images).to.equal(true);
    expect(carry.notes.join('\n')).to.match(/not handed over .*big\/image:1/);
    expect(dockerCarry({ ...facts, dockerActive: false }, VARS, declaredBy(ROLES)).vars.docker_migrate_images).to.equal(false);
  });
});

describe('the handover of a run cut short (the archive exported, Docker stopped, nothing imported yet)', () => {
  const manifest = (tags: string[][]) => b64(JSON.stringify(tags.map((t) => ({ Config: 'c.json', RepoTags: t, Layers: [] }))));
  const stopped = (extra: string[]) => parseDockerSettings(['source state', `daemon ${b64('{}')}`, ...extra].join('\n'));

  it("reads the archive's tags from docker save's manifest.json, and hands them over under auto", () => {
    const f = stopped([`archived ${manifest([['registry.example/team/app:1.0'], ['k8s.gcr.io/pause:3.6']])}`]);
    expect(f.archived).to.deep.equal(['k8s.gcr.io/pause:3.6', 'registry.example/team/app:1.0']);
    const carry = dockerCarry(f, VARS, declaredBy(ROLES));
    expect(carry.vars.docker_migrate_images).to.equal(true);
    expect(carry.vars.docker_migrate_image_list).to.deep.equal(['k8s.gcr.io/pause:3.6', 'registry.example/team/app:1.0']);
    expect(carry.notes.join('\n')).to.match(/2 image\(s\) an earlier run exported from Docker, handed over to containerd now/);
  });

  it('an archive whose manifest is not readable hands nothing over; a tag with a control character refuses the node', () => {
    expect(stopped(['archived bm90IGpzb24=']).archived).to.deep.equal([]);
    expect(dockerCarry(stopped([]), VARS, declaredBy(ROLES)).vars.docker_migrate_images).to.equal(false);
    expect(() => stopped([`archived ${manifest([['evil\u001b[2J:1']])}`])).to.throw(/node answered something provision cannot read/);
  });
});

describe('workloads: log collectors among the daemonsets', () => {
  const ds = (ns: string, name: string, image: string) => ({ metadata: { namespace: ns, name }, spec: { template: { spec: { containers: [{ image }] } } } });
  const cases: [string, object, string | undefined][] = [
    ['fluent-bit by its image', ds('logging', 'node-logs', 'cr.fluentbit.io/fluent/fluent-bit:3.0'), 'Fluent Bit'],
    ['fluentd by name', ds('kube-system', 'fluentd-es', 'quay.io/x/y:1'), 'Fluentd'],
    ['filebeat', ds('elastic', 'filebeat', 'docker.elastic.co/beats/filebeat:8.13.0'), 'Filebeat'],
    ['promtail', ds('loki', 'promtail', 'grafana/promtail:2.9.0'), 'Promtail'],
    ['vector', ds('obs', 'vector', 'timberio/vector:0.37.0-debian'), 'Vector'],
    ['kube-proxy is no log collector', ds('kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.29.0'), undefined],
  ];
  for (const [name, item, collector] of cases) {
    it(name, () => {
      const found = logCollectorsIn({ items: [item] });
      expect(found.map((f) => f.collector.name)).to.deep.equal(collector ? [collector] : []);
    });
  }

  it('the note names the format change and what to change in each collector', () => {
    const note = logFormatNote(logCollectorsIn({ items: [cases[0]![1], cases[3]![1]] }));
    expect(note)
      .to.match(/switch from Docker's JSON lines to the CRI format/)
      .and.match(/logging\/node-logs \(Fluent Bit: use the cri parser/);
    expect(logFormatNote([])).to.equal(undefined);
  });
});

describe('issue 23: what a node holds in daemon.json and the state file is parsed against a shape, never trusted', () => {
  const refusal = (facts: DockerSettingsFacts) => {
    const carry = dockerCarry(facts, VARS, declaredBy(ROLES));
    expect(carry.vars).to.not.have.property('docker_settings_state');
    expect(carry.problems).to.have.length(1);
    return carry.problems[0]!;
  };

  it('"log-opts": null refuses the host with a one-line reason naming the key (it was an internal error ending the run)', () => {
    const why = refusal(node({ 'log-opts': null }));
    expect(why).to.equal('node answered something provision cannot read: /etc/docker/daemon.json "log-opts" is null, expected a map');
  });

  it('escape sequences in a carried string refuse the host, and the reason shows them escaped (no ESC reaches a terminal)', () => {
    const why = refusal(node({ 'log-driver': '\u001b[2J\u001b[Hok', 'registry-mirrors': ['https://m.example'] }));
    expect(why).to.equal('node answered something provision cannot read: /etc/docker/daemon.json "log-driver" holds the control character U+001B');
    expect(why).to.not.match(/[\u0000-\u001f]/);
  });

  it('wrong shapes inside lists and maps are named by their place', () => {
    expect(refusal(node({ 'registry-mirrors': ['https://m.example', 5] }))).to.match(/"registry-mirrors"\[1\] is 5, expected a string$/);
    expect(refusal(node({ 'log-opts': { 'max-size': { a: 1 } } }))).to.match(/"log-opts"\.max-size is \{"a":1\}, expected a string$/);
    expect(refusal(node({ 'exec-opts': 'native.cgroupdriver=systemd' }))).to.match(/"exec-opts" is "native\.cgroupdriver=systemd", expected a list$/);
    // Docker's own scalars in log-opts stay readable.
    expect(dockerCarry(node({ 'log-opts': { 'max-file': 3 } }), VARS, declaredBy(ROLES)).problems).to.deep.equal([]);
  });

  it('a state file {"daemon":{},"certs":"x"} refuses the host (it was "certs.map is not a function")', () => {
    const why = refusal(parseDockerSettings(`source state\ndaemon ${b64('{"daemon":{},"certs":"x"}')}\n`));
    expect(why).to.match(
      /^node answered something provision cannot read: the state file of carried Docker settings "certs" is "x", expected a list; remove it/,
    );
    const mode = refusal(parseDockerSettings(`source state\ndaemon ${b64('{"certs":[{"registry":"r","file":"a.crt","mode":"rwx"}]}')}\n`));
    expect(mode).to.match(/"certs"\[0\] "mode" is "rwx", expected a file mode/);
  });
});
