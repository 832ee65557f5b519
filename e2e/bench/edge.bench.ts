// Each hop of a product read, measured in one run (pnpm bench:edge [-- --duration 10]):
//   edge cache HIT  vs  nginx serving the same bytes as a static file   (what the CDN emulator costs)
//   gateway → lb → catalog (Redis HIT), edge bypassed  vs  a bare Node http server with the same bytes
//   gateway → lb → catalog  vs  a bare undici proxy → lb → catalog   (what the gateway costs as a proxy)
//   and the latency each hop adds (edge, gateway, lb, catalog), and the proxy process's own CPU per
//   request (gateway vs bare proxy, from /proc).
// Every target answers the same product JSON; compare ratios, not absolute numbers (shared 2 cores).
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startTestStack } from '../test/support/stack';
import { cpuSeconds } from './process-cpu';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(`usage: pnpm bench:edge [--duration 10]
  a product read hop by hop: edge cache HIT vs nginx static file, gateway vs a bare proxy and bare Node (needs pnpm build, pnpm infra:up)`);
  process.exit(0);
}
const DURATION_S = Number(process.argv[process.argv.indexOf('--duration') + 1]) || 10;
const CONNECTIONS = 20;
const PRODUCT = 7;
const repoRoot = path.resolve(__dirname, '../..');
const staticDir = path.join(repoRoot, 'apps/web/dist/bench');

interface Measurement {
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds the `cpuOf` process spent per request during the measured run. */
  cpuMsPerRequest?: number;
}

async function load(target: string, url: string, cpuOf?: number): Promise<Measurement> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up, thrown away
  const cpuBefore = cpuOf ? cpuSeconds(cpuOf) : 0;
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  const cpuMsPerRequest = cpuOf ? ((cpuSeconds(cpuOf) - cpuBefore) * 1000) / r.requests.total : undefined;
  if (r.non2xx + r.errors + r.timeouts > 0) {
    console.log(`${target}: ${r.non2xx} non-2xx, ${r.errors} socket errors, ${r.timeouts} timeouts`);
  }
  return {
    target,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
    cpuMsPerRequest,
  };
}

/** Forks a baseline server (its own event loop, like the services) and waits for its port. */
async function forkServer(
  script: string,
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(script, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${path.basename(script)} exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function main(): Promise<void> {
  const stack = await startTestStack(
    {
      catalog: { EDGE_CACHE_SECONDS: '3600', PRODUCT_CACHE_TTL_SECONDS: '3600' },
      // The load comes from one address: lift the per-IP limit so it measures the path, not the limiter.
      gateway: { RATE_LIMIT_PER_MINUTE: '1000000000' },
    },
    { proxies: true },
  );
  const baselines: ChildProcess[] = [];
  try {
    const edge = stack.edge!.url;
    const body = Buffer.from(await (await fetch(`${edge}/api/products/${PRODUCT}`)).arrayBuffer());
    fs.mkdirSync(staticDir, { recursive: true });
    fs.writeFileSync(path.join(staticDir, `product-${PRODUCT}.json`), body);
    const bareServer = await forkServer(path.join(repoRoot, 'apps/catalog/bench/bare-http-server.ts'), {
      BENCH_BODY_BASE64: body.toString('base64'),
      BENCH_CONTENT_TYPE: 'application/json; charset=utf-8',
    });
    const bareProxy = await forkServer(path.join(__dirname, 'bare-proxy.ts'), {
      BENCH_UPSTREAM: stack.lb.url,
    });
    baselines.push(bareServer.child, bareProxy.child);
    const gatewayPid = stack.processes.find((p) => p.name === 'gateway-1')!.child.pid!;

    const results = [
      await load('nginx static file (edge)', `${edge}/bench/product-${PRODUCT}.json`),
      await load('edge cache HIT', `${edge}/api/products/${PRODUCT}`),
      await load('gateway → lb → catalog', `${stack.urls.gateway[0]}/api/products/${PRODUCT}`, gatewayPid),
      await load(
        'bare proxy → lb → catalog',
        `${bareProxy.url}/api/products/${PRODUCT}`,
        bareProxy.child.pid,
      ),
      await load('lb → catalog', `${stack.lb.url}/catalog/products/${PRODUCT}`),
      await load('catalog (Redis HIT)', `${stack.urls.catalog[0]}/products/${PRODUCT}`),
      await load('bare Node http', bareServer.url),
    ];
    const [file, edgeHit, viaGateway, viaBareProxy, viaLb, catalog, node] = results;
    console.log(
      `\nmachine: ${os.cpus().length} cores, node ${process.version}, load avg ${os.loadavg()[0].toFixed(2)}; ${CONNECTIONS} connections, ${DURATION_S}s per target, ${body.length}-byte product\n`,
    );
    console.log('target                          req/s    p50 ms  p99 ms  errors');
    for (const r of results) {
      console.log(
        `${r.target.padEnd(30)} ${r.rps.toFixed(0).padStart(7)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.errors).padStart(6)}`,
      );
    }
    console.log(
      `\nedge cache HIT vs nginx static file:            ${(edgeHit.rps / file.rps).toFixed(2)}x req/s`,
    );
    console.log(
      `gateway+lb+catalog (edge bypassed) vs bare Node: ${(viaGateway.rps / node.rps).toFixed(3)}x req/s`,
    );
    console.log(
      `gateway vs bare undici proxy on the same hop:    ${(viaGateway.rps / viaBareProxy.rps).toFixed(2)}x req/s`,
    );
    console.log(
      `what the gateway costs (gateway→lb→catalog vs lb→catalog): ${(viaGateway.rps / viaLb.rps).toFixed(2)}x; a bare proxy: ${(viaBareProxy.rps / viaLb.rps).toFixed(2)}x`,
    );
    const [gatewayCpu, proxyCpu] = [viaGateway.cpuMsPerRequest!, viaBareProxy.cpuMsPerRequest!];
    console.log(
      `proxy process CPU per request: gateway ${gatewayCpu.toFixed(3)} ms, bare proxy ${proxyCpu.toFixed(3)} ms: ${(proxyCpu / gatewayCpu).toFixed(2)}x (from /proc; it rises with contention too)`,
    );
    console.log('\nlatency each hop adds under this load (p50 / p99, ms):');
    console.log(`  catalog over bare Node:  ${catalog.p50 - node.p50} / ${catalog.p99 - node.p99}`);
    console.log(`  lb (nginx):              ${viaLb.p50 - catalog.p50} / ${viaLb.p99 - catalog.p99}`);
    console.log(`  gateway (NestJS):        ${viaGateway.p50 - viaLb.p50} / ${viaGateway.p99 - viaLb.p99}`);
    console.log(
      `  bare undici proxy:       ${viaBareProxy.p50 - viaLb.p50} / ${viaBareProxy.p99 - viaLb.p99}`,
    );
    console.log(`  edge on a cache HIT:     ${edgeHit.p50} / ${edgeHit.p99} in all (no hop behind it)`);
    console.log('\nratios, not absolute numbers, are what to compare: the load generator shares the cores.');
  } finally {
    baselines.forEach((child) => child.kill('SIGTERM'));
    fs.rmSync(staticDir, { recursive: true, force: true });
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
