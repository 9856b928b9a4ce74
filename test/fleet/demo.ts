/**
 * `npm run demo`: boots a local fleet of 3 Docker-era workers (real systemd nodes, see fleet.ts),
 * migrates them to containerd with provision, and says how to look at the result.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CACHE_ROOT, Fleet, fleetUnavailable, installFleetTools } from './fleet.js';

const dir = process.env.PROVISION_FLEET_DIR ?? `${CACHE_ROOT}/local`;
const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function main(): Promise<number> {
  installFleetTools((s) => console.log(s));
  const why = fleetUnavailable();
  if (why) {
    console.error(`demo: ${why}. The demo boots real systemd nodes with systemd-nspawn: it needs Linux and root.`);
    return 1;
  }
  console.log('Booting 3 Docker-era workers (Docker Engine, kubelet stand-in on dockershim)...');
  const fleet = await Fleet.up(
    dir,
    ['worker01', 'worker02', 'worker03'].map((name) => ({ name })),
    (s) => console.log(s),
  );
  const before = fleet.ssh('worker01', 'systemctl is-active docker; cat /run/kubelet-standin/status.json').stdout;
  console.log(`\nworker01 before: docker ${before.split('\n')[0]}, kubelet on ${JSON.parse(before.split('\n')[1]!).endpoint}\n`);
  console.log(`$ provision -i ${fleet.inventoryFile} --known-hosts ${fleet.knownHostsFile}\n`);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', cli, '-i', fleet.inventoryFile, '--known-hosts', fleet.knownHostsFile, '--report', `${dir}/report.json`],
    { stdio: 'inherit' },
  );
  const after = fleet.ssh('worker01', 'cat /run/kubelet-standin/status.json; echo; ctr version | sed -n "/Server/,/Version/p" | tail -1', {
    allowFail: true,
  }).stdout;
  console.log(
    `\nworker01 after: kubelet on ${JSON.parse(after.split('\n')[0]!).endpoint}, containerd${after.split('\n').slice(1).join(' ').replace(/\s+/g, ' ')}`,
  );
  console.log(`
Look around:
  npm run fleet -- ssh worker01 systemctl status containerd kubelet
  npm run fleet -- ssh worker01 cat /etc/containerd/config.toml
  npx provision -i ${fleet.inventoryFile} --known-hosts ${fleet.knownHostsFile}      # again: changes nothing
  cat ${dir}/report.json
Stop the fleet:
  npm run fleet -- down`);
  return run.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
