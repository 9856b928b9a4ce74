/**
 * `npm run fleet -- up [N] | down | ssh NODE [CMD...] | status`: a local fleet of Docker-era
 * workers for people (the tests boot their own).
 */
import { spawnSync } from 'node:child_process';
import { CACHE_ROOT, Fleet, fleetUnavailable, installFleetTools } from './fleet.js';

const dir = process.env.PROVISION_FLEET_DIR ?? `${CACHE_ROOT}/local`;
const [command = 'status', ...args] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === 'up') {
    installFleetTools((s) => console.log(s));
    const why = fleetUnavailable();
    if (why) return fail(why);
    const count = Number(args[0] ?? 3);
    const names = Array.from({ length: count }, (_, i) => ({ name: `worker${String(i + 1).padStart(2, '0')}` }));
    const fleet = await Fleet.up(dir, names, (s) => console.log(s));
    console.log(`fleet up: ${fleet.state.nodes.map((n) => `${n.name} (${n.address}:${n.port})`).join(', ')}`);
    console.log(`inventory: ${fleet.inventoryFile}`);
    console.log(`known hosts: ${fleet.knownHostsFile}`);
    return 0;
  }
  const fleet = Fleet.load(dir);
  if (!fleet || fleet.state.nodes.length === 0) return command === 'down' ? 0 : fail(`no fleet is up (npm run fleet -- up 3)`);
  if (command === 'down') {
    await fleet.down();
    console.log('fleet down');
    return 0;
  }
  if (command === 'ssh') {
    const [name, ...cmd] = args;
    if (!name) return fail('usage: npm run fleet -- ssh NODE [COMMAND...]');
    return spawnSync('ssh', [...fleet.sshArgs(fleet.node(name)), ...cmd], { stdio: 'inherit' }).status ?? 1;
  }
  if (command === 'status') {
    for (const n of fleet.state.nodes) console.log(`${n.name} ${n.address}:${n.port} kubelet stand-in ${n.kubeletVersion}`);
    console.log(`inventory: ${fleet.inventoryFile}`);
    return 0;
  }
  return fail(`unknown command "${command}": up [N], down, ssh NODE [CMD], status`);
}

function fail(message: string): number {
  console.error(`fleet: ${message}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
