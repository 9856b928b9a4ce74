/**
 * Preloaded into a CLI run by the fleet benchmark (node --import): at exit, the process's own CPU
 * time and peak RSS go to the file named by PROVISION_BENCH_USAGE, so the controller's cost is
 * measured by the kernel's accounting rather than sampled.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.PROVISION_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKiB: u.maxRSS }));
  });
}
