// Where a service's CPU goes: reads V8 .cpuprofile files (written by service processes started with
// SDP_CPU_PROF_DIR set, see libs/testing/src/service-process.ts) and prints, per service, the busy
// time, the share per package (node_modules/<pkg>, node internals, our own code) and the top frames by
// self time. Run: pnpm profile:summary <dir> [--top 15]
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm profile:summary <dir-with-.cpuprofile-files> [--top 15] [--skip-ms 5000]
  per service: busy CPU ms after the first --skip-ms of each process (start-up), the share per
  package and the top frames by self time`);
  process.exit(args.length === 0 ? 1 : 0);
}
const dir = args[0];
const topIndex = args.indexOf('--top');
const TOP = topIndex >= 0 ? Number(args[topIndex + 1]) : 15;
const skipIndex = args.indexOf('--skip-ms');
/** Start-up (module loading, migrations) is not what a benchmark asks about: leave it out. */
const SKIP_US = (skipIndex >= 0 ? Number(args[skipIndex + 1]) : 5_000) * 1_000;

/** node_modules/.pnpm/<a>@<v>/node_modules/<pkg>/... → <pkg>; our sources → apps/x or libs/x. */
function owner(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const ours = /\/(apps|libs)\/([^/]+)\//.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : path.basename(url);
}

function summarise(file: string) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed >= SKIP_US) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const frames = new Map<string, number>();
  const owners = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    busy += us;
    const frame = `${functionName || '(anonymous)'} ${owner(url)}:${lineNumber + 1}`;
    frames.set(frame, (frames.get(frame) ?? 0) + us);
    const pkg = functionName === '(garbage collector)' ? '(gc)' : owner(url);
    owners.set(pkg, (owners.get(pkg) ?? 0) + us);
  }
  return { busy, frames, owners };
}

const merge = (into: Map<string, number>, from: Map<string, number>) =>
  from.forEach((v, k) => into.set(k, (into.get(k) ?? 0) + v));
const top = (m: Map<string, number>, total: number, n: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, v]) =>
        `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    )
    .join('\n');

type Summary = ReturnType<typeof summarise>;
const perService = new Map<string, Summary>();
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const service = file.replace(/-\d+-\d+\.cpuprofile$/, '');
  const s = summarise(path.join(dir, file));
  const acc: Summary = perService.get(service) ?? {
    busy: 0,
    frames: new Map<string, number>(),
    owners: new Map<string, number>(),
  };
  acc.busy += s.busy;
  merge(acc.frames, s.frames);
  merge(acc.owners, s.owners);
  perService.set(service, acc);
}
for (const [service, s] of [...perService.entries()].sort((a, b) => b[1].busy - a[1].busy)) {
  console.log(`\n${service}: ${(s.busy / 1000).toFixed(0)} ms busy (all replicas and runs)`);
  console.log(top(s.owners, s.busy, 10));
  console.log(`  top frames by self time:`);
  console.log(top(s.frames, s.busy, TOP));
}
