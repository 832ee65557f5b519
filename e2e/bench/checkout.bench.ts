// Checkout throughput on one hot SKU and spread over 100 SKUs, next to the ceiling: a bare
// conditional UPDATE on one row in the same Postgres. Run: pnpm bench:checkout [-- --duration 10]
//
// Everything runs in one go on this machine, so compare ratios, not absolute numbers.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { asUser, connectPostgres, testInfraEnv } from '@sdp/testing';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { percentile, setPsp, setStock } from '../test/support/checkout-client';
import { startCpuMeter } from './process-cpu';
import { startTestStack, type TestStack } from '../test/support/stack';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: pnpm bench:checkout [--duration 10] [--connections 20]
  checkouts per second on one hot SKU and spread over 100 SKUs vs a bare conditional UPDATE (needs pnpm build, pnpm infra:up)`);
  process.exit(0);
}
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const DURATION_S = flag('duration', 10);
const CONNECTIONS = flag('connections', 20);
const HOT_SKU = 'SKU-000301';
const SPREAD_SKUS = Array.from({ length: 100 }, (_, i) => `SKU-${String(401 + i).padStart(6, '0')}`);

interface Row {
  scenario: string;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds per accepted checkout, per service (all its replicas). */
  cpuMs?: Record<string, number>;
}

/** The stack's processes by service: orders-1 and orders-2 count as orders. */
const processesByService = (stack: TestStack): Record<string, number[]> => {
  const groups: Record<string, number[]> = {};
  for (const p of stack.processes) (groups[p.name.replace(/-\d+$/, '')] ??= []).push(p.child.pid!);
  return groups;
};

/** The ceiling: the same kind of write inventory does, alone, on one row, at the same concurrency. */
async function bareConditionalUpdate(): Promise<Row> {
  const db = await connectPostgres();
  const schema = `bench_ceiling_${process.pid}`;
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(
    `CREATE TABLE ${schema}.stock (sku text PRIMARY KEY, on_hand int NOT NULL, reserved int NOT NULL)`,
  );
  await db.query(`INSERT INTO ${schema}.stock VALUES ($1, 100000000, 0)`, [HOT_SKU]);
  const pool = new Pool({ connectionString: testInfraEnv().DATABASE_URL, max: CONNECTIONS });
  const latencies: number[] = [];
  const deadline = Date.now() + DURATION_S * 1_000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      await pool.query(
        `UPDATE ${schema}.stock SET reserved = reserved + 1 WHERE sku = $1 AND on_hand - reserved >= 1`,
        [HOT_SKU],
      );
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.end();
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
  await db.end();
  return {
    scenario: 'bare conditional UPDATE, 1 row',
    perSecond: latencies.length / DURATION_S,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: 0,
  };
}

/** Checkouts through both orders replicas at once; every request a new user and Idempotency-Key. */
async function checkouts(
  stack: TestStack,
  scenario: string,
  pickSku: () => string,
  seconds = DURATION_S,
): Promise<Row> {
  let user = 0;
  const cpuUsed = startCpuMeter(processesByService(stack));
  const runs = stack.urls.orders.map((url) =>
    autocannon({
      url,
      connections: Math.max(1, Math.round(CONNECTIONS / stack.urls.orders.length)),
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: '/checkout',
          setupRequest: (request) => ({
            ...request,
            headers: {
              'content-type': 'application/json',
              'idempotency-key': randomUUID(),
              ...asUser(`bench-${process.pid}-${user++}`),
            },
            body: JSON.stringify({ items: [{ sku: pickSku(), quantity: 1 }] }),
          }),
        },
      ],
    }),
  );
  const results = await Promise.all(runs);
  const accepted = results.reduce((sum, r) => sum + r['2xx'], 0);
  const cpuMs = Object.fromEntries(
    Object.entries(cpuUsed()).map(([service, seconds]) => [
      service,
      (seconds * 1_000) / Math.max(accepted, 1),
    ]),
  );
  return {
    cpuMs,
    scenario,
    perSecond: accepted / seconds,
    // The replicas ran side by side: report the slower one's percentiles.
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
  };
}

function print(rows: Row[]): void {
  const ceiling = rows[0].perSecond;
  console.log(
    `\nmachine: ${os.cpus().length} cores, node ${process.version}, load avg ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log(`load: ${CONNECTIONS} connections, ${DURATION_S}s per scenario\n`);
  console.log('scenario                              per second   p50 ms   p99 ms   errors   vs ceiling');
  for (const row of rows) {
    console.log(
      `${row.scenario.padEnd(36)}  ${row.perSecond.toFixed(0).padStart(10)}  ${row.p50.toFixed(1).padStart(7)}  ${row.p99
        .toFixed(1)
        .padStart(7)}  ${String(row.errors).padStart(7)}   ${(row.perSecond / ceiling).toFixed(3)}x`,
    );
  }
  console.log('\nratios, not absolute numbers, are what to compare: the load generator shares the 2 cores.');
  const measured = rows.filter((row) => row.cpuMs);
  const services = Object.keys(measured[0]?.cpuMs ?? {});
  console.log('\nCPU ms per accepted checkout, by service (user + system time from /proc, all replicas):\n');
  console.log(
    `${'scenario'.padEnd(24)}${services.map((s) => s.padStart(14)).join('')}${'total'.padStart(9)}`,
  );
  for (const row of measured) {
    const cpu = row.cpuMs!;
    const total = Object.values(cpu).reduce((sum, ms) => sum + ms, 0);
    console.log(
      `${row.scenario.padEnd(24)}${services.map((s) => cpu[s].toFixed(2).padStart(14)).join('')}${total.toFixed(2).padStart(9)}`,
    );
  }
}

async function main(): Promise<void> {
  const ceiling = await bareConditionalUpdate();
  const stack = await startTestStack({ payments: { PSP_LATENCY_MS: '5', PSP_FAILURE_RATE: '0' } });
  try {
    await setPsp(stack.urls.payments[0], { failureRate: 0, latencyMs: 5 });
    await setStock(stack.urls.inventory[0], HOT_SKU, 1_000_000);
    for (const sku of SPREAD_SKUS) await setStock(stack.urls.inventory[0], sku, 1_000_000);
    await checkouts(stack, 'warm-up', () => HOT_SKU, 3); // JIT, pools, caches
    const hot = await checkouts(stack, 'checkout, 1 hot SKU', () => HOT_SKU);
    let next = 0;
    const spread = await checkouts(
      stack,
      'checkout, 100 SKUs',
      () => SPREAD_SKUS[next++ % SPREAD_SKUS.length],
    );
    print([ceiling, hot, spread]);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
