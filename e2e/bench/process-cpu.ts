import fs from 'node:fs';
import path from 'node:path';
import { infraPaths } from '../../infra/local/src/paths';

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

/** A group of processes: fixed pids, or a function read again at the end (a tree that forks children). */
export type ProcessGroup = number[] | (() => number[]);

/** Starts counting CPU for named groups of processes; the returned function gives seconds used per group. */
export function startCpuMeter(groups: Record<string, ProcessGroup>): () => Record<string, number> {
  const pidsOf = (group: ProcessGroup) => (typeof group === 'function' ? group() : group);
  const before = new Map(
    Object.values(groups)
      .flatMap(pidsOf)
      .map((pid) => [pid, cpuSeconds(pid)]),
  );
  // A process born since the start counts from zero; one that exited since is lost (rare in a run).
  const used = (pids: number[]) =>
    pids.reduce((sum, pid) => sum + cpuSeconds(pid) - (before.get(pid) ?? 0), 0);
  return () => Object.fromEntries(Object.entries(groups).map(([name, group]) => [name, used(pidsOf(group))]));
}

/** The process (a pid, or a pid file) and all its descendants, found again at each call. */
export function processTree(root: number | string): () => number[] {
  return () => {
    let rootPid: number;
    try {
      rootPid = typeof root === 'number' ? root : Number(fs.readFileSync(root, 'utf8').trim());
    } catch {
      return []; // that server is not running here
    }
    const children = new Map<number, number[]>();
    for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // exited while we listed it
      }
    }
    const tree = [rootPid];
    for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
    return tree;
  };
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

/** The local infrastructure's servers (`pnpm infra:up`), each a process tree from its pid file. */
export function infraServers(...servers: string[]): () => number[] {
  const run = infraPaths(path.resolve(__dirname, '../..')).run;
  const trees = servers.map((server) => processTree(path.join(run, `${server}.pid`)));
  return () => trees.flatMap((tree) => tree());
}
