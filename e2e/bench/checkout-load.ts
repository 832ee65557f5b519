// Pieces shared by bench:checkout and bench:flash-sale: the ceiling (a bare conditional UPDATE),
// autocannon checkouts through both orders replicas, and the CPU each service spent per checkout.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { asUser, connectPostgres, testInfraEnv } from '@sdp/testing';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { percentile } from '../test/support/checkout-client';
import type { TestStack } from '../test/support/stack';
import { infraServers, startCpuMeter } from './process-cpu';

export interface LoadRow {
  scenario: string;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds per accepted checkout, per service (all its replicas). */
  cpuMs?: Record<string, number>;
}

export interface LoadSettings {
  durationS: number;
  connections: number;
}

/** `--name value` from argv, or the fallback. */
export const numberFlag = (args: string[], name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

/** The stack's processes by service: orders-1 and orders-2 count as orders. */
export const processesByService = (stack: TestStack): Record<string, number[]> => {
  const groups: Record<string, number[]> = {};
  for (const p of stack.processes) (groups[p.name.replace(/-\d+$/, '')] ??= []).push(p.child.pid!);
  return groups;
};

/** The ceiling: the same kind of write inventory does, alone, on one row, at the same concurrency. */
export async function bareConditionalUpdate({ durationS, connections }: LoadSettings): Promise<LoadRow> {
  const db = await connectPostgres();
  const schema = `bench_ceiling_${process.pid}`;
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(
    `CREATE TABLE ${schema}.stock (sku text PRIMARY KEY, on_hand int NOT NULL, reserved int NOT NULL)`,
  );
  await db.query(`INSERT INTO ${schema}.stock VALUES ('hot', 100000000, 0)`);
  const pool = new Pool({ connectionString: testInfraEnv().DATABASE_URL, max: connections });
  const latencies: number[] = [];
  const postgresCpu = startCpuMeter({ postgres: infraServers('postgres') });
  const deadline = Date.now() + durationS * 1_000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      await pool.query(
        `UPDATE ${schema}.stock SET reserved = reserved + 1 WHERE sku = 'hot' AND on_hand - reserved >= 1`,
      );
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const { postgres: postgresSeconds } = postgresCpu();
  await pool.end();
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
  await db.end();
  return {
    scenario: 'bare conditional UPDATE, 1 row',
    cpuMs: { postgres: (postgresSeconds * 1_000) / Math.max(latencies.length, 1) },
    perSecond: latencies.length / durationS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: 0,
  };
}

/** Checkouts through both orders replicas at once; every request a new user and Idempotency-Key. */
export async function checkouts(
  stack: TestStack,
  scenario: string,
  pickSku: () => string,
  { durationS, connections }: LoadSettings,
): Promise<LoadRow> {
  let user = 0;
  const cpuUsed = startCpuMeter(processesByService(stack));
  const runs = stack.urls.orders.map((url) =>
    autocannon({
      url,
      connections: Math.max(1, Math.round(connections / stack.urls.orders.length)),
      duration: durationS,
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
    perSecond: accepted / durationS,
    // The replicas ran side by side: report the slower one's percentiles.
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
  };
}

export const machineLine = (): string =>
  `machine: ${os.cpus().length} cores, node ${process.version}, load avg ${os.loadavg()[0].toFixed(2)}`;

/** The throughput table, each row as a ratio of the first (the ceiling). */
export function printLoadRows(
  rows: LoadRow[],
  extraHeader = '',
  extra: (row: LoadRow) => string = () => '',
): void {
  const ceiling = rows[0].perSecond;
  console.log(`${'scenario'.padEnd(40)}  per second   p50 ms   p99 ms   errors   vs ceiling${extraHeader}`);
  for (const row of rows) {
    console.log(
      `${row.scenario.padEnd(40)}  ${row.perSecond.toFixed(0).padStart(10)}  ${row.p50.toFixed(1).padStart(7)}  ${row.p99
        .toFixed(1)
        .padStart(
          7,
        )}  ${String(row.errors).padStart(7)}   ${(row.perSecond / ceiling).toFixed(3).padStart(9)}x${extra(row)}`,
    );
  }
}

/** CPU ms per accepted checkout, by service, for the rows that measured it. */
export function printCpuRows(rows: LoadRow[]): void {
  const measured = rows.filter((row) => row.cpuMs);
  const services = Object.keys(measured[0]?.cpuMs ?? {});
  console.log('\nCPU ms per accepted checkout, by service (user + system time from /proc, all replicas):\n');
  console.log(
    `${'scenario'.padEnd(40)}${services.map((s) => s.padStart(14)).join('')}${'total'.padStart(9)}`,
  );
  for (const row of measured) {
    const cpu = row.cpuMs!;
    const total = Object.values(cpu).reduce((sum, ms) => sum + ms, 0);
    console.log(
      `${row.scenario.padEnd(40)}${services.map((s) => (cpu[s] ?? 0).toFixed(2).padStart(14)).join('')}${total.toFixed(2).padStart(9)}`,
    );
  }
}
