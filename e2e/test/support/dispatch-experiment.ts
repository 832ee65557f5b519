import path from 'node:path';
import { OrderConfirmed } from '@sdp/contracts';
import { createKafka, toKafkaMessage } from '@sdp/messaging';
import {
  connectPostgres,
  freePorts,
  spawnService,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  uniqueName,
  waitFor,
  waitUntilReady,
  type ServiceProcess,
} from '@sdp/testing';
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { percentile } from './checkout-client';

// The courier-dispatch experiment (docs/courier-dispatch.md): N confirmed orders, C couriers, D
// dispatchers (replicas of the built delivery service, each running its dispatcher loop), one
// dispatcher SIGKILLed while it holds a courier's lock mid-assignment. Everything is real: the
// orders arrive as order.confirmed events on Kafka, the locks are the lock service's, the state is
// in Postgres. What it measures comes from Postgres (the assignment history) and from each
// dispatcher's /metrics; what it checks is listed in DispatchResult.

export interface DispatchExperimentOptions {
  orders?: number;
  couriers?: number;
  dispatchers?: number;
  /** Kill one dispatcher (SIGKILL) once this share of the orders is assigned. */
  killAtShare?: number;
  /** How long a courier takes to accept an offer (the window the kill lands in). */
  offerMs?: number;
  /** How long a delivery takes (then the courier is free again). */
  deliveryMs?: number;
  /** Extra env for every dispatcher, e.g. { LOCK_BACKEND: 'zookeeper' }. */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface DispatchResult {
  orders: number;
  couriers: number;
  dispatchers: number;
  /** Delivery jobs in Postgres (duplicated order.confirmed deliveries must not add any). */
  jobs: number;
  duplicatesPublished: number;
  /** Orders with an assignment; must equal `orders`. */
  assignedOrders: number;
  /** Orders with more than one assignment; must be 0. */
  ordersAssignedTwice: number;
  /** Pairs of assignments of one courier whose [assigned, released) intervals overlap; must be 0. */
  courierOverlaps: number;
  /** Couriers still BUSY with no open assignment, or FREE with one (must be 0 once all is delivered). */
  inconsistentCouriers: number;
  delivered: number;
  perDispatcher: Record<string, number>;
  killed: { name: string; atAssigned: number; offersInFlight: number; assignedBeforeKill: number };
  /** Time from the first job to the last assignment. */
  timeToAssignAllMs: number;
  waitForCourierMs: { p50: number; p99: number; max: number };
  /** Per dispatcher, from its last /metrics scrape (the killed one: its last scrape before the kill). */
  lockContention: Record<string, number>;
  rejectedByPostgres: Record<string, number>;
  lockLost: Record<string, number>;
}

const repoRoot = path.resolve(__dirname, '../../..');
const entry = path.join(repoRoot, 'apps', 'delivery', 'dist', 'main.js');

const metricSum = (text: string, name: string): number =>
  [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
const metricWhere = (text: string, name: string, label: string): number =>
  [...text.matchAll(new RegExp(`^${name}\\{[^}]*${label}[^}]*\\} (\\S+)$`, 'gm'))].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );

export async function runDispatchExperiment(
  options: DispatchExperimentOptions = {},
): Promise<DispatchResult> {
  const {
    orders = 200,
    couriers = 20,
    dispatchers = 3,
    killAtShare = 0.25,
    offerMs = 80,
    deliveryMs = 400,
    env = {},
    log = () => undefined,
  } = options;
  const id = uniqueName('dispatch');
  const schema = `${id}_delivery`.toLowerCase();
  const topicPrefix = `${id}.`;
  const ports = await freePorts(dispatchers);
  const processes: ServiceProcess[] = [];
  const launch = (index: number) => {
    const name = `dispatcher-${index + 1}`;
    const p = spawnService(name, entry, {
      ...testInfraEnv(),
      INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      DB_SCHEMA: schema,
      LOCK_KEY_PREFIX: `${id}:lock:`,
      PORT: String(ports[index]),
      INSTANCE_ID: name,
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '4',
      COURIER_COUNT: String(couriers),
      ASSIGN_OFFER_MS: String(offerMs),
      DELIVERY_TIME_MS: String(deliveryMs),
      DISPATCH_INTERVAL_MS: '50',
      COMPLETION_INTERVAL_MS: '50',
      // Short, so an orphaned lock (its holder killed) frees its courier soon; extended while alive.
      LOCK_TTL_MS: '1000',
      ...env,
    });
    processes.push(p);
    return p;
  };

  const db: Client = await connectPostgres();
  const kafka = createKafka({ clientId: `${id}-orders`, brokers: testInfraEnv().KAFKA_BROKERS.split(',') });
  const producer = kafka.producer();
  const lastMetrics = new Map<string, string>();
  let scraping = true;
  try {
    // The first replica migrates and seeds the couriers; then the others.
    await waitUntilReady(launch(0));
    const rest = Array.from({ length: dispatchers - 1 }, (_, i) => launch(i + 1));
    await Promise.all(rest.map((p) => waitUntilReady(p)));
    log(`${dispatchers} dispatchers up (${processes.map((p) => p.url).join(', ')}), ${couriers} couriers`);

    const scrape = async () => {
      while (scraping) {
        await Promise.all(
          processes
            .filter((p) => p.child.exitCode === null && p.child.signalCode === null)
            .map(async (p) => {
              const text = await fetch(`${p.url}/metrics`).then(
                (r) => r.text(),
                () => undefined,
              );
              if (text) lastMetrics.set(p.name, text);
            }),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const scraper = scrape();

    // N confirmed orders, as orders would publish them, plus a tenth of them again (at-least-once).
    await producer.connect();
    const events = Array.from({ length: orders }, (_, i) => {
      const orderId = randomUUID();
      return OrderConfirmed.create(orderId, {
        orderId,
        userId: `customer${String((i % 50) + 1).padStart(3, '0')}`,
        items: [{ sku: 'SKU-000001', quantity: 1, priceCents: 1_000 }],
        totalCents: 1_000,
      });
    });
    const duplicates = events.slice(0, Math.ceil(orders / 10));
    const started = Date.now();
    await producer.send({
      topic: `${topicPrefix}order.confirmed`,
      acks: -1,
      messages: [...events, ...duplicates].map(toKafkaMessage),
    });
    log(
      `published ${orders} order.confirmed (+${duplicates.length} duplicates) in ${Date.now() - started} ms`,
    );

    const count = async (sql: string): Promise<number> =>
      Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${schema}".${sql}`)).rows[0].n);

    // Mid-run: kill one dispatcher while it holds a courier's lock (an offer in flight).
    const killAt = Math.max(1, Math.floor(orders * killAtShare));
    await waitFor(async () => (await count('assignments')) >= killAt, {
      timeoutMs: 120_000,
      intervalMs: 50,
      what: `${killAt} assignments before the kill`,
    });
    // The victim: a dispatcher that has assigned some and holds a courier mid-assignment right now,
    // the last-started first. Without locks, one dispatcher can lose every race for a while (the
    // dispatchers walk the same oldest-first job list, and the one that lost a job arrives late at
    // the next); killing that one would show nothing, so it is passed over, not waited for.
    const assignedBy = async (): Promise<Map<string, number>> =>
      new Map(
        (
          await db.query<{ assigned_by: string; n: string }>(
            `SELECT assigned_by, count(*)::text AS n FROM "${schema}".assignments GROUP BY assigned_by`,
          )
        ).rows.map((r) => [r.assigned_by, Number(r.n)]),
      );
    const { victim, inFlight } = await waitFor(
      async () => {
        const assigned = await assignedBy();
        for (const p of [...processes].reverse()) {
          if (!assigned.get(p.name)) continue;
          const n = metricSum(await (await fetch(`${p.url}/metrics`)).text(), 'delivery_offers_in_flight');
          if (n >= 1) return { victim: p, inFlight: n };
        }
        return undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 5,
        what: 'a dispatcher that has assigned some to hold a courier mid-assignment',
      },
    );
    await victim.kill();
    const atAssigned = await count('assignments');
    const assignedBeforeKill = (await assignedBy()).get(victim.name) ?? 0;
    log(
      `SIGKILL ${victim.name} at ${atAssigned}/${orders} assigned, ${inFlight} offer(s) in flight${env.DISPATCH_LOCKS === 'false' ? '' : ' (courier + job locks held)'}`,
    );

    await waitFor(async () => (await count('assignments')) >= orders, {
      timeoutMs: 180_000,
      intervalMs: 100,
      what: `all ${orders} orders assigned`,
    });
    await waitFor(async () => (await count(`delivery_jobs WHERE status = 'DELIVERED'`)) >= orders, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: `all ${orders} orders delivered`,
    });
    scraping = false;
    await scraper;

    const q = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> =>
      (await db.query<T>(sql.replaceAll('$schema', `"${schema}"`), params)).rows;
    const [twice] = await q<{ n: string }>(
      `SELECT count(*)::text AS n FROM (SELECT order_id FROM $schema.assignments GROUP BY order_id HAVING count(*) > 1) t`,
    );
    // Two assignments of one courier overlap if neither ended before the other began.
    const [overlaps] = await q<{ n: string }>(
      `SELECT count(*)::text AS n FROM $schema.assignments a JOIN $schema.assignments b
         ON a.courier_id = b.courier_id AND a.id < b.id
        AND tstzrange(a.assigned_at, coalesce(a.released_at, 'infinity')) &&
            tstzrange(b.assigned_at, coalesce(b.released_at, 'infinity'))`,
    );
    const [inconsistent] = await q<{ n: string }>(
      `SELECT count(*)::text AS n FROM $schema.couriers c
        WHERE (c.status = 'BUSY') <> EXISTS (SELECT 1 FROM $schema.assignments a WHERE a.courier_id = c.id AND a.released_at IS NULL)`,
    );
    const perDispatcherRows = await q<{ assigned_by: string; n: string }>(
      `SELECT assigned_by, count(*)::text AS n FROM $schema.assignments GROUP BY assigned_by ORDER BY assigned_by`,
    );
    const waits = (
      await q<{ ms: string }>(
        `SELECT extract(epoch FROM (assigned_at - created_at)) * 1000 AS ms FROM $schema.delivery_jobs WHERE assigned_at IS NOT NULL`,
      )
    )
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const [span] = await q<{ ms: string }>(
      `SELECT extract(epoch FROM (max(assigned_at) - min(created_at))) * 1000 AS ms FROM $schema.delivery_jobs`,
    );
    const perName = (f: (text: string) => number) =>
      Object.fromEntries(processes.map((p) => [p.name, f(lastMetrics.get(p.name) ?? '')]));

    return {
      orders,
      couriers,
      dispatchers,
      jobs: await count('delivery_jobs'),
      duplicatesPublished: duplicates.length,
      assignedOrders: Number(
        (await q<{ n: string }>(`SELECT count(DISTINCT order_id)::text AS n FROM $schema.assignments`))[0].n,
      ),
      ordersAssignedTwice: Number(twice.n),
      courierOverlaps: Number(overlaps.n),
      inconsistentCouriers: Number(inconsistent.n),
      delivered: await count(`delivery_jobs WHERE status = 'DELIVERED'`),
      perDispatcher: Object.fromEntries(perDispatcherRows.map((r) => [r.assigned_by, Number(r.n)])),
      killed: { name: victim.name, atAssigned, offersInFlight: inFlight, assignedBeforeKill },
      timeToAssignAllMs: Math.round(Number(span.ms)),
      waitForCourierMs: {
        p50: Math.round(percentile(waits, 50)),
        p99: Math.round(percentile(waits, 99)),
        max: Math.round(waits[waits.length - 1] ?? 0),
      },
      lockContention: perName((t) => metricSum(t, 'delivery_lock_contention_total')),
      rejectedByPostgres: perName((t) => metricSum(t, 'delivery_double_assignments_rejected_total')),
      lockLost: perName((t) => metricWhere(t, 'delivery_assign_attempts_total', 'outcome="lock_lost"')),
    };
  } finally {
    scraping = false;
    await producer.disconnect().catch(() => undefined);
    await Promise.all(processes.map((p) => p.stop()));
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await db.end();
  }
}

/** The figures, one line each, for the test log and the command. */
export function describeDispatch(r: DispatchResult, backend: string): string[] {
  const per = Object.entries(r.perDispatcher)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const byName = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
  return [
    `courier dispatch (${backend === 'none' || backend === 'no' ? 'no locks, Postgres alone' : `${backend} locks`}): ${r.orders} orders, ${r.couriers} couriers, ${r.dispatchers} dispatchers`,
    `  jobs created            ${r.jobs} (from ${r.orders} + ${r.duplicatesPublished} duplicate order.confirmed)`,
    `  killed                  ${r.killed.name} (SIGKILL) at ${r.killed.atAssigned}/${r.orders} assigned, ${r.killed.offersInFlight} offer(s) in flight, ${r.killed.assignedBeforeKill} assigned by it before`,
    `  assigned                ${r.assignedOrders}/${r.orders}; delivered ${r.delivered}/${r.orders}`,
    `  double assignments      orders twice: ${r.ordersAssignedTwice}, courier overlaps: ${r.courierOverlaps}, inconsistent couriers: ${r.inconsistentCouriers}`,
    `  time to assign all      ${r.timeToAssignAllMs} ms`,
    `  wait for a courier      p50 ${r.waitForCourierMs.p50} ms, p99 ${r.waitForCourierMs.p99} ms, max ${r.waitForCourierMs.max} ms`,
    `  assignments per dispatcher  ${per}`,
    `  lock waits (contention)     ${byName(r.lockContention)}`,
    `  rejected by Postgres        ${byName(r.rejectedByPostgres)}`,
    `  locks lost mid-assignment   ${byName(r.lockLost)}`,
  ];
}
