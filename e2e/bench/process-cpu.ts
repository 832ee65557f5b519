import fs from 'node:fs';

// CPU time actually spent by processes (user + system, from /proc/<pid>/stat), not sampled wall
// time: on a loaded 2-core VM a V8 profile charges the time a process waits for a core to the frame
// it was in (often a socket write), so totals per service come from the kernel instead.

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the project runs on

/** CPU seconds the process has used so far; 0 when /proc is not there (not Linux) or it exited. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Starts counting CPU for named groups of processes; the returned function gives seconds used per group. */
export function startCpuMeter(groups: Record<string, number[]>): () => Record<string, number> {
  const total = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, total(pids)]));
  return () =>
    Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, total(pids) - before[name]]));
}

/** Starts measuring the whole machine; the returned function gives the busy share (0..1) since then. */
export function startMachineMeter(): () => number {
  // First line of /proc/stat: user nice system idle iowait irq softirq steal, in ticks.
  const read = () => {
    const ticks = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    return { idle: ticks[3] + ticks[4], total: ticks.reduce((sum, t) => sum + t, 0) };
  };
  if (!fs.existsSync('/proc/stat')) return () => NaN; // not Linux
  const before = read();
  return () => {
    const now = read();
    return 1 - (now.idle - before.idle) / Math.max(1, now.total - before.total);
  };
}
