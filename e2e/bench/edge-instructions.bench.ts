// What an edge cache HIT costs nginx next to serving the same bytes as a static file, counted in
// instructions instead of requests per second: nginx runs under valgrind's callgrind, so the figures
// do not move with the load of a shared machine, and each function's share is exact.
//   static file   vs   cache HIT of the gateway's answer as it is   vs   the same with the RateLimit-*
//   headers the gateway used to add (it leaves them off answers a shared cache may keep)
// The edge config is the real one (infra/nginx/edge.conf.template); the "gateway" is a stub that
// answers with the gateway's headers, so nothing else of the stack runs. Syscalls are not counted
// here: both paths make the same ones (docs/benchmarks.md has the strace count).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '@sdp/testing';
import autocannon from 'autocannon';
import {
  findBinary,
  missingBinariesMessage,
  nginxSpec,
  type BinarySpec,
} from '../../infra/local/src/binaries';
import { renderEdgeConf } from '../../infra/local/src/nginx/render';
import { run } from '../../infra/local/src/process';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: pnpm bench:edge-instructions [--requests 2000]
  user-space instructions per request in nginx (valgrind callgrind): edge cache HIT vs static file, and the
  functions that make the difference (needs nginx and valgrind; nothing else of the stack)`);
  process.exit(0);
}
const at = process.argv.indexOf('--requests');
const REQUESTS = at >= 0 ? Number(process.argv[at + 1]) : 2000;
if (!Number.isInteger(REQUESTS) || REQUESTS < 100)
  throw new Error('--requests: a whole number, at least 100');

const valgrindSpec: BinarySpec = { name: 'valgrind', install: 'apt-get install -y valgrind' };
const callgrindControlSpec: BinarySpec = {
  name: 'callgrind_control',
  install: 'apt-get install -y valgrind',
};
const callgrindAnnotateSpec: BinarySpec = {
  name: 'callgrind_annotate',
  install: 'apt-get install -y valgrind',
};

/** A product body of ordinary size, and the headers the gateway answers a product read with. */
const body = Buffer.from(
  JSON.stringify({
    id: 7,
    sku: 'SKU-000007',
    name: 'Desk lamp',
    description: 'x'.repeat(500),
    priceCents: 1999,
  }),
);
const gatewayHeaders = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'public, max-age=0, s-maxage=30, stale-while-revalidate=30',
  etag: 'W/"288-4f1b2a9c0d3e5f67"',
  'x-instance-id': 'catalog-1',
  'x-upstream-addr': '127.0.0.1:3101',
  'x-request-id': '0f8a2b7c-1d2e-4f5a-9b8c-7d6e5f4a3b2c',
  'x-gateway-instance': 'gateway-1',
};
const rateLimitHeaders = {
  'ratelimit-limit': '300',
  'ratelimit-remaining': '287',
  'ratelimit-reset': '41',
  'ratelimit-policy': '300;w=60',
};

const targets = [
  { name: 'nginx static file', path: '/bench/product.json' },
  { name: 'edge cache HIT', path: '/api/products/7' },
  { name: 'edge cache HIT, with RateLimit-*', path: '/api/products/7?with-rate-limit-headers' },
];

/** Sends exactly `amount` requests over two keep-alive connections (`amount` is missing from the types). */
const load = (url: string, amount: number) =>
  autocannon({ url, connections: 2, amount } as autocannon.Options).then((result) => {
    if (result['2xx'] !== amount) throw new Error(`${url}: ${result['2xx']} of ${amount} answered 2xx`);
  });

function need(spec: BinarySpec): string {
  const found = findBinary(spec, process.env.PATH ?? '');
  if (!found) throw new Error(missingBinariesMessage([spec]));
  return found;
}

/** Per function, the instructions of one callgrind dump (self cost). */
async function functionCosts(annotate: string, file: string): Promise<Map<string, number>> {
  const { stdout } = await run(annotate, ['--auto=no', '--threshold=100', file], { timeoutMs: 60_000 });
  const costs = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const m = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S.*?)(?:\s+\[.*\])?$/.exec(line);
    if (m) costs.set(m[2].replace(/^\?\?\?:/, ''), Number(m[1].replace(/,/g, '')));
  }
  return costs;
}

async function main(): Promise<void> {
  const nginx = need(nginxSpec);
  const valgrind = need(valgrindSpec);
  const control = need(callgrindControlSpec);
  const annotate = need(callgrindAnnotateSpec);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-edge-instructions-'));
  const [edgePort, gatewayPort] = await freePorts(2);
  const gateway = http
    .createServer((req, res) => {
      const withLimits = req.url?.includes('with-rate-limit-headers');
      res.writeHead(200, {
        ...gatewayHeaders,
        ...(withLimits ? rateLimitHeaders : {}),
        'content-length': body.length,
      });
      res.end(body);
    })
    .listen(gatewayPort, '127.0.0.1');
  for (const sub of [
    'web/bench',
    'cache',
    ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `temp/${t}`),
  ])
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, 'web/index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(dir, 'web/bench/product.json'), body);
  const conf = renderEdgeConf({
    listen: `127.0.0.1:${edgePort}`,
    gateways: [`127.0.0.1:${gatewayPort}`],
    webRoot: path.join(dir, 'web'),
    cacheDir: path.join(dir, 'cache'),
    internalAllow: ['127.0.0.1'],
    refreshToken: 'bench-refresh-token-0123',
    selfAddress: `127.0.0.1:${edgePort}`,
    stateDir: dir,
    pidFile: path.join(dir, 'nginx.pid'),
    errorLog: path.join(dir, 'error.log'),
    accessLog: path.join(dir, 'access.log'),
  });
  // One process: callgrind then sees every request, and the counters can be dumped between targets.
  fs.writeFileSync(
    path.join(dir, 'edge.conf'),
    conf.replace('daemon off;', 'daemon off;\nmaster_process off;'),
  );
  const out = path.join(dir, 'callgrind.out');
  const edge = spawn(
    valgrind,
    ['--tool=callgrind', `--callgrind-out-file=${out}`, nginx, '-c', path.join(dir, 'edge.conf')],
    {
      stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'valgrind.log'), 'w')],
    },
  );
  const url = (p: string) => `http://127.0.0.1:${edgePort}${p}`;
  try {
    for (let i = 0; ; i++) {
      const up = await fetch(url('/nginx-health')).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 120) throw new Error(`nginx under valgrind did not answer in 60 s (see ${dir}/valgrind.log)`);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Fill the cache and warm every path, then count from zero.
    for (const t of targets) {
      await load(url(t.path), 200);
      const status = (await fetch(url(t.path))).headers.get('x-cache-status');
      if (t.path.startsWith('/api/') && status !== 'HIT')
        throw new Error(`${t.path}: expected a cache HIT, got ${status}`);
    }
    await run(control, ['-z', String(edge.pid)], { timeoutMs: 30_000 });
    for (const [i, t] of targets.entries()) {
      await load(url(t.path), REQUESTS);
      await run(control, ['-d', `target-${i}`, String(edge.pid)], { timeoutMs: 30_000 });
    }
  } finally {
    edge.kill('SIGTERM');
    await new Promise((r) => edge.once('exit', r));
    gateway.close();
  }
  const dumps = fs
    .readdirSync(dir)
    .filter((f) => /^callgrind\.out\.\d+$/.test(f))
    .sort();
  if (dumps.length !== targets.length)
    throw new Error(`expected ${targets.length} callgrind dumps, found ${dumps.length}`);
  const costs = await Promise.all(dumps.map((f) => functionCosts(annotate, path.join(dir, f))));
  const total = (c: Map<string, number>) => (c.get('PROGRAM TOTALS') ?? NaN) / REQUESTS;

  console.log(
    `\nmachine: ${os.cpus().length} cores, ${REQUESTS} requests per target, nginx user-space instructions (callgrind)\n`,
  );
  console.log(`${'target'.padEnd(36)}  instructions per request   vs static file`);
  for (const [i, t] of targets.entries())
    console.log(
      `${t.name.padEnd(36)}  ${total(costs[i]).toFixed(0).padStart(24)}   ${(total(costs[0]) / total(costs[i])).toFixed(2)}x`,
    );

  console.log(`\nwhere a HIT spends more than the static file, per request (top 12 functions):`);
  const [file, hit] = costs;
  // The totals line and the frames callgrind charges the whole run to (main, libc's start-up).
  const wholeRun = (name: string) => (hit.get(name) ?? 0) >= 0.99 * (hit.get('PROGRAM TOTALS') ?? 0);
  const deltas = [...new Set([...file.keys(), ...hit.keys()])]
    .filter((name) => !wholeRun(name))
    .map((name) => ({ name, extra: ((hit.get(name) ?? 0) - (file.get(name) ?? 0)) / REQUESTS }))
    .sort((a, b) => b.extra - a.extra)
    .slice(0, 12);
  for (const d of deltas) console.log(`  ${d.extra.toFixed(0).padStart(6)}  ${d.name}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
