// `pnpm test:compose`: builds every image from the project's Dockerfiles, starts the project's own
// docker-compose.yml in real containers (podman + docker-compose, stand-in base images) and checks the
// stack from outside through the published edge port only; then `down -v` must leave nothing behind.
// Prints the time to healthy and each container's peak memory against its limit. Exit code 1 on any
// failed check. EDGE_PORT picks the published port (default 8080, or a free one when 8080 is taken);
// EDGE_US_PORT and EDGE_AP_PORT do the same for the far regions' edges (8092, 8093).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { cdn } from '@sdp/topology';
import { repoRoot } from '../compose-file';
import { composeEnv } from '../env-file';
import {
  Compose,
  containers,
  failedContainers,
  HealthPump,
  peakMemory,
  podman,
  podmanEnv,
  startApiService,
  type ContainerInfo,
} from './engine';
import { which } from './exec';
import { sleep } from '@sdp/scheduling';
import { ensureStandins } from './standins';
import { pictureThroughEveryEdge, type PublishedEdge } from './cdn-checks';

const workDir = path.join(repoRoot, '.infra/compose');
const HEALTHY_WITHIN_MS = 12 * 60_000;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

const results: { name: string; ok: boolean; detail: string }[] = [];
async function check(name: string, fn: () => Promise<string | void>): Promise<void> {
  const started = Date.now();
  try {
    const detail = (await fn()) ?? '';
    results.push({ name, ok: true, detail });
    console.log(`  ✓ ${name} (${seconds(Date.now() - started)}) ${detail}`);
  } catch (err) {
    results.push({ name, ok: false, detail: (err as Error).message });
    console.log(`  ✗ ${name}: ${(err as Error).message}`);
    throw err;
  }
}

function freePort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer().once('error', reject);
      server.listen(port, '0.0.0.0', () => {
        const { port: bound } = server.address() as net.AddressInfo;
        server.close(() => resolve(bound));
      });
    });
  return tryListen(preferred).catch(() => tryListen(0));
}

/** Waits until every migrate job exited 0 and every container with a healthcheck is healthy. */
async function waitHealthy(project: string, since: number): Promise<ContainerInfo[]> {
  let last: ContainerInfo[] = [];
  while (Date.now() - since < HEALTHY_WITHIN_MS) {
    last = await containers(project);
    const failed = last.filter((c) => (c.state === 'exited' && c.exitCode !== 0) || c.health === 'unhealthy');
    if (failed.length)
      throw new Error(
        `failed: ${failed.map((c) => `${c.name} (${c.health ?? `exit ${c.exitCode}`})`).join(', ')}`,
      );
    // A job that exited 0 is done (migrate jobs inherit the image's HEALTHCHECK but never get healthy).
    const waiting = last.filter(
      (c) => c.state !== 'exited' && c.interval !== undefined && c.health !== 'healthy',
    );
    const settled = last.every((c) => c.state === 'running' || c.state === 'exited');
    if (last.some((c) => c.state === 'running') && settled && !waiting.length) return last;
    await sleep(1000);
  }
  const waiting = last.filter((c) => c.health !== 'healthy' && c.state !== 'exited').map((c) => c.name);
  throw new Error(`not healthy within ${seconds(HEALTHY_WITHIN_MS)}: ${waiting.join(', ')}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`usage: pnpm test:compose   (EDGE_PORT=18080 to publish the edge elsewhere)
  builds every image, starts docker-compose.yml in real containers (podman + docker-compose), checks
  the stack through the edge port only, then docker-compose down -v must leave nothing behind`);
    return;
  }
  const started = Date.now();
  const missing = [];
  for (const tool of ['podman', 'runc', 'docker-compose', 'debootstrap', 'mvn'])
    if (!(await which(tool))) missing.push(tool);
  if (missing.length) {
    throw new Error(
      `missing ${missing.join(', ')}: ./scripts/test-all.sh installs them (apt-get install podman runc netavark aardvark-dns docker-compose debootstrap maven)`,
    );
  }
  // Each region's edge is published (EDGE_PORT, EDGE_US_PORT, EDGE_AP_PORT); a taken port moves.
  const ports: Record<string, string> = {};
  const edges: PublishedEdge[] = [];
  for (const r of cdn.regions) {
    const variable = `${r.edge.toUpperCase().replace(/-/g, '_')}_PORT`;
    ports[variable] = process.env[variable] ?? String(await freePort(r.edgePort));
    edges.push({ region: r.region, url: `http://127.0.0.1:${ports[variable]}` });
  }
  const edge = edges[0].url;
  fs.mkdirSync(workDir, { recursive: true });

  console.log('\n── stand-in base images (infra/compose/standins)');
  for (const r of await ensureStandins(podmanEnv()))
    console.log(`  ${r.tag}: ${r.built ? 'built' : 'cached'} (${seconds(r.seconds * 1000)})`);
  const standinsMs = Date.now() - started;

  // Fresh secrets for this run in a private env file: the user's .env is never read or written.
  const envFile = path.join(workDir, 'compose.env');
  const envText = composeEnv();
  fs.writeFileSync(envFile, envText, { mode: 0o600 });
  const demoPassword = /^DEMO_PASSWORD=(.*)$/m.exec(envText)![1];

  const api = await startApiService();
  const compose = new Compose(api.socket, envFile, ports);
  const pump = new HealthPump(compose.project);
  // Ctrl-C or a CI timeout: take the stack down and stop the API service rather than orphan them.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: docker-compose down -v`);
      void pump
        .stop()
        .then(() => compose.run(['down', '-v', '--remove-orphans'], { inherit: true, allowFailure: true }))
        .finally(() => {
          api.stop();
          process.exit(130);
        });
    });
  }
  const peaks = new Map<string, { peak: number; limit: number }>();
  const recordPeaks = async () => {
    for (const c of await containers(compose.project)) {
      const peak = peakMemory(c);
      if (peak !== undefined)
        peaks.set(c.name, { peak: Math.max(peak, peaks.get(c.name)?.peak ?? 0), limit: c.memoryLimit });
    }
  };
  const volumesUsed = new Set<string>();
  let buildMs = 0;
  let healthyMs = 0;
  let failure: unknown;
  try {
    // Leftovers of an interrupted run would make the checks below lie.
    await compose.run(['down', '-v', '--remove-orphans'], { allowFailure: true });

    console.log('\n── docker-compose build (infra/docker/*.Dockerfile)');
    const buildStart = Date.now();
    await compose.run(['build'], { inherit: true, timeoutMs: 45 * 60_000 });
    buildMs = Date.now() - buildStart;

    console.log(`\n── docker-compose up -d (edge on ${edge})`);
    pump.start();
    const upStart = Date.now();
    await compose.run(['up', '-d'], { inherit: true, timeoutMs: HEALTHY_WITHIN_MS });
    const all = await waitHealthy(compose.project, upStart);
    healthyMs = Date.now() - upStart;
    console.log(`  all ${all.length} containers healthy (or completed) in ${seconds(healthyMs)}`);
    for (const c of all) {
      const r = await podman([
        'inspect',
        '--format',
        '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}',
        c.id,
      ]);
      for (const v of r.stdout.split(/\s+/).filter(Boolean)) volumesUsed.add(v);
    }

    console.log('\n── checks through the published port only');
    await runChecks(edges, demoPassword, compose.project, recordPeaks);
    await recordPeaks();
  } catch (err) {
    // Which container failed: docker-compose v1 names only ids ("Container b640ed05b6c7 is unhealthy").
    const states = await containers(compose.project).catch(() => []);
    for (const c of states) {
      console.log(
        `  ${c.name.padEnd(30)} ${c.id.slice(0, 12)} ${c.state} ${c.health ?? ''} exit ${c.exitCode}`,
      );
    }
    const logs = await compose.run(['logs', '--no-color', '--tail', '40'], { allowFailure: true });
    console.log(`\n── last log lines\n${logs.stdout}`);
    // The failed containers also go into the error, the output's last line: a CI record that keeps
    // only the tail lost the table above (4 December: "up -d exited 1" and nothing to say which).
    const failed = failedContainers(states);
    failure = failed.length
      ? new Error(`${err instanceof Error ? err.message : String(err)}; failed: ${failed.join(', ')}`)
      : err;
  } finally {
    await pump.stop();
    console.log('\n── docker-compose down -v');
    try {
      await check('down -v leaves no container, volume or network of the project', async () => {
        await compose.run(['down', '-v', '--remove-orphans'], { inherit: true, timeoutMs: 5 * 60_000 });
        const label = `label=com.docker.compose.project=${compose.project}`;
        const left = [
          ...(await podman(['ps', '-a', '--format', '{{.Names}}', '--filter', label])).stdout.split('\n'),
          ...(await podman(['volume', 'ls', '--format', '{{.Name}}', '--filter', label])).stdout.split('\n'),
          ...(await podman(['network', 'ls', '--format', '{{.Name}}', '--filter', label])).stdout.split('\n'),
        ].filter(Boolean);
        const allVolumes = (await podman(['volume', 'ls', '--format', '{{.Name}}'])).stdout.split('\n');
        left.push(...[...volumesUsed].filter((v) => allVolumes.includes(v)).map((v) => `volume ${v}`));
        assert.deepEqual(left, [], `left behind: ${left.join(', ')}`);
        return `(${volumesUsed.size} volumes were in use)`;
      });
    } catch (err) {
      failure ??= err;
    }
    api.stop();
  }

  console.log('\n── figures');
  console.log(
    `  stand-ins ready in ${seconds(standinsMs)}, images built in ${seconds(buildMs)}, stack healthy ${seconds(healthyMs)} after up`,
  );
  console.log(`  peak memory / limit per running container (one-shot migrate jobs exit before a sample):`);
  for (const [name, { peak, limit }] of [...peaks].sort()) {
    const pct = limit ? Math.round((100 * peak) / limit) : 0;
    console.log(
      `    ${name.padEnd(28)} ${mib(peak).padStart(8)} / ${limit ? mib(limit) : 'none'}${limit ? ` (${pct}%)` : ''}`,
    );
  }
  const total = [...peaks.values()].reduce((s, p) => s + p.peak, 0);
  console.log(`    ${'sum of peaks'.padEnd(28)} ${mib(total).padStart(8)}`);
  console.log(
    `  total ${seconds(Date.now() - started)}; ${results.filter((r) => r.ok).length}/${results.length} checks passed`,
  );
  if (failure) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
}

async function runChecks(
  edges: readonly PublishedEdge[],
  demoPassword: string,
  project: string,
  recordPeaks: () => Promise<void>,
): Promise<void> {
  const edge = edges[0].url;
  await check('the storefront HTML and a hashed asset from the edge', async () => {
    const page = await fetch(`${edge}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    const asset = /\/assets\/[\w.-]+-[\w-]{8,}\.(?:js|css)/.exec(html)?.[0];
    assert.ok(asset, 'index.html names no hashed /assets/ file');
    const res = await fetch(`${edge}${asset}`);
    assert.equal(res.status, 200, `${asset}`);
    assert.match(res.headers.get('cache-control') ?? '', /immutable/);
    assert.ok((await res.arrayBuffer()).byteLength > 0);
    return asset;
  });

  let token = '';
  await check('login as the demo user', async () => {
    const res = await fetch(`${edge}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password: demoPassword }),
    });
    assert.equal(res.status, 200);
    token = ((await res.json()) as { accessToken: string }).accessToken;
    assert.ok(token);
  });
  const auth = { authorization: `Bearer ${token}` };

  await check('a product read: MISS, then HIT from the edge cache', async () => {
    const first = await fetch(`${edge}/api/products/1`);
    const second = await fetch(`${edge}/api/products/1`);
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.deepEqual(
      [first.headers.get('x-cache-status'), second.headers.get('x-cache-status')],
      ['MISS', 'HIT'],
    );
    assert.deepEqual(await second.json(), await first.json());
  });

  await check('a product picture through every region’s edge: image/webp, MISS then HIT', async () => {
    const product = (await (await fetch(`${edge}/api/products/1`)).json()) as { imagePath: string };
    return (await pictureThroughEveryEdge(edges, `${product.imagePath}?w=320`)).join('; ');
  });

  await check(
    'the architecture page draws the CDN: every region’s edge, the shield and the media origin, up',
    async () => {
      const login = await fetch(`${edge}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: demoPassword }),
      });
      assert.equal(login.status, 200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const wanted = [...cdn.regions.map((r) => r.edge), cdn.shield.name, cdn.mediaOrigin.name];
      type Node = { id: string; status: string; figures: { label: string; value: string }[] };
      let nodes: Node[] = [];
      let slow = 0;
      // Unwatched, each snapshot is a fresh round over every replica and server; the first ones,
      // while control opens its connections on a machine still busy with the boot, can outlast the
      // gateway's 3 s upstream timeout (a 504, counted and printed). A probe may also answer late.
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(1_000)) {
        const res = await fetch(`${edge}/api/admin/control/snapshot`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        if (res.status === 504) {
          slow++;
          continue;
        }
        assert.equal(res.status, 200, await res.clone().text());
        nodes = ((await res.json()) as { snapshot: { nodes: Node[] } }).snapshot.nodes;
        if (wanted.every((id) => nodes.find((n) => n.id === id)?.status === 'up')) break;
      }
      const cdnNodes = wanted.map((id) => nodes.find((n) => n.id === id));
      assert.deepEqual(
        cdnNodes.map((n) => `${n?.id ?? '?'} ${n?.status ?? 'missing'}`),
        wanted.map((id) => `${id} up`),
      );
      const media = cdnNodes.at(-1)!;
      assert.ok(media.figures.length > 0, 'the media origin box has no figures');
      return `${media.figures.map((f) => `${f.label} ${f.value}`).join(', ')}; ${slow} snapshot(s) past 3 s first`;
    },
  );

  await check('a checkout reaches CONFIRMED', async () => {
    // The PSP simulator declines 10% of charges (PSP_FAILURE_RATE): a declined order is CANCELLED,
    // so try up to 5 orders; every one must settle, and one must be CONFIRMED.
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 5 && !outcomes.includes('CONFIRMED'); attempt++) {
      const placed = await fetch(`${edge}/api/checkout`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ sku: 'SKU-000001', quantity: 1 }] }),
      });
      assert.equal(placed.status, 202, await placed.clone().text());
      const { orderId } = (await placed.json()) as { orderId: string };
      let status = 'PENDING_PAYMENT';
      for (
        const deadline = Date.now() + 30_000;
        status === 'PENDING_PAYMENT' && Date.now() < deadline;
        await sleep(250)
      ) {
        const res = await fetch(`${edge}/api/orders/${orderId}`, { headers: auth });
        assert.equal(res.status, 200);
        status = ((await res.json()) as { status: string }).status;
      }
      outcomes.push(status);
    }
    assert.ok(outcomes.includes('CONFIRMED'), `outcomes: ${outcomes.join(', ')}`);
    assert.ok(
      outcomes.every((s) => s === 'CONFIRMED' || s === 'CANCELLED'),
      `outcomes: ${outcomes.join(', ')}`,
    );
    return outcomes.join(' → ');
  });

  // Authenticated reads are personal: the edge passes them to a gateway and on to a catalog replica.
  const sample = async (n: number) => {
    const gateways = new Set<string>();
    const replicas = new Set<string>();
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${edge}/api/products/1`, { headers: auth });
      assert.equal(res.status, 200, `request ${i + 1} of ${n}`);
      gateways.add(res.headers.get('x-gateway-instance') ?? '?');
      replicas.add(res.headers.get('x-instance-id') ?? '?');
    }
    return { gateways, replicas };
  };
  const byService = async (service: string) =>
    (await containers(project)).filter((c) => c.service === service && c.state === 'running');

  let before = { gateways: new Set<string>(), replicas: new Set<string>() };
  await check('two gateways and two catalog replicas answer', async () => {
    before = await sample(20);
    assert.equal(before.gateways.size, 2, `gateways: ${[...before.gateways].join(', ')}`);
    assert.equal(before.replicas.size, 2, `catalog replicas: ${[...before.replicas].join(', ')}`);
    return `${[...before.gateways].join(', ')}; ${[...before.replicas].join(', ')}`;
  });

  await check('one gateway and one catalog replica killed: GETs still answered', async () => {
    await recordPeaks(); // a stopped container's cgroup is gone
    const victims = [(await byService('gateway'))[0], (await byService('catalog'))[0]];
    assert.ok(victims.every(Boolean), 'no gateway or catalog container running');
    // INSTANCE_ID is <app>-<hostname>, and a container's hostname is its short id.
    const names = victims.map((c) => `${c.service}-${c.id.slice(0, 12)}`);
    assert.ok(
      before.gateways.has(names[0]) && before.replicas.has(names[1]),
      `victims ${names.join(', ')} not seen answering`,
    );
    for (const c of victims) await podman(['stop', '--time', '0', c.id]); // SIGKILL; stop keeps it down
    const after = await sample(20);
    assert.deepEqual([after.gateways.has(names[0]), after.replicas.has(names[1])], [false, false]);
    assert.equal(after.gateways.size, 1);
    assert.equal(after.replicas.size, 1);
    return `killed ${names.join(', ')}; 20/20 answered by ${[...after.gateways, ...after.replicas].join(', ')}`;
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`\ncompose tier FAILED: ${(err as Error).message}`);
    process.exit(1);
  },
);
