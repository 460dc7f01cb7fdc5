// A process's CPU time and resident memory from /proc (Linux), sampled over a phase.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds used so far (user + system) and RSS in MB now. */
export async function processUsage(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks, rssMb: rssKb / 1024 };
}

/**
 * Watches a process from now until `end()`: CPU as % of one core over the whole span, and RSS
 * sampled once a second (memory has no event to wait on), reported as the peak and the last.
 */
export async function watchProcess(pid) {
  const first = await processUsage(pid);
  const startedAt = performance.now();
  let peakRssMb = first.rssMb;
  const sampler = setInterval(() => {
    processUsage(pid)
      .then((usage) => {
        peakRssMb = Math.max(peakRssMb, usage.rssMb);
      })
      .catch(() => {}); // gone: end() says so
  }, 1000);
  return {
    async end() {
      clearInterval(sampler);
      const last = await processUsage(pid);
      const seconds = (performance.now() - startedAt) / 1000;
      return {
        cpuPercent: (100 * (last.cpuSeconds - first.cpuSeconds)) / seconds,
        rssMb: last.rssMb,
        peakRssMb: Math.max(peakRssMb, last.rssMb),
      };
    },
  };
}
