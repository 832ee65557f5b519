import { createKafka } from '@sdp/messaging';
import { connectPostgres, testInfraEnv } from '@sdp/testing';
import { eventTopics } from '@sdp/topology';
import {
  fireCheckouts,
  finalStatuses,
  percentile,
  runSweeper,
  setPsp,
  setStock,
  settledStock,
  type CheckoutResult,
} from './support/checkout-client';
import { replayTopics, waitForConsumersToCatchUp } from './support/kafka';
import { startTestStack, type TestStack } from './support/stack';

// The checkout across every service, as real processes, against real Postgres, Redis and Kafka:
// the flash sale (many buyers, little stock), payment failures, duplicate delivery of every event,
// and a payments crash mid-stream.

const FLASH_STOCK = 20;
const BUYERS = 500;

function report(
  title: string,
  results: CheckoutResult[],
  statuses: string[],
  stock: { onHand: number; sold: number },
) {
  const placed = results.filter((r) => r.status === 202).length;
  const figures = {
    requests: results.length,
    placed,
    rejectedOutOfStock: results.filter((r) => r.status === 409).length,
    otherAnswers: Object.fromEntries(
      results
        .filter((r) => r.status !== 202 && r.status !== 409)
        .map((r) => [`${r.status} ${r.body.message ?? ''}`, 0] as const),
    ) as Record<string, number>,
    confirmed: statuses.filter((s) => s === 'CONFIRMED').length,
    cancelled: statuses.filter((s) => s === 'CANCELLED').length,
    oversold: Math.max(0, stock.sold - FLASH_STOCK),
    checkoutP50ms: Math.round(
      percentile(
        results.map((r) => r.ms),
        50,
      ),
    ),
    checkoutP99ms: Math.round(
      percentile(
        results.map((r) => r.ms),
        99,
      ),
    ),
    stock,
  };
  for (const r of results.filter((r) => r.status !== 202 && r.status !== 409))
    figures.otherAnswers[`${r.status} ${r.body.message ?? ''}`]++;
  console.log(`${title}\n${JSON.stringify(figures, null, 2)}`);
  return figures;
}

describe('checkout across all services (e2e)', () => {
  let stack: TestStack;
  const inventory = () => stack.urls.inventory[0];

  beforeAll(async () => {
    stack = await startTestStack({
      payments: { PSP_LATENCY_MS: '20', PSP_FAILURE_RATE: '0' },
      inventory: { RESERVATION_TTL_SECONDS: '600', SWEEPER_INTERVAL_MS: '1000' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(`flash sale: ${BUYERS} buyers, stock ${FLASH_STOCK}, no payment failures → exactly ${FLASH_STOCK} confirmed, none oversold`, async () => {
    const sku = 'SKU-000101';
    await setStock(inventory(), sku, FLASH_STOCK);
    await setPsp(stack.urls.payments[0], { failureRate: 0 });

    const results = await fireCheckouts(stack.urls.orders, BUYERS, 'flash-a', [{ sku, quantity: 1 }]);
    const accepted = results.filter((r) => r.status === 202);
    const statuses = await finalStatuses(stack.urls.orders[0], accepted);
    const stock = await settledStock(inventory(), sku);
    const figures = report('flash sale, failure rate 0', results, statuses, stock);

    expect(figures.otherAnswers).toEqual({});
    expect(figures.placed).toBe(FLASH_STOCK);
    expect(figures.confirmed).toBe(FLASH_STOCK);
    expect(figures.rejectedOutOfStock).toBe(BUYERS - FLASH_STOCK);
    for (const rejected of results.filter((r) => r.status === 409))
      expect(rejected.body.message).toMatch(/out of stock/i);
    expect(stock).toMatchObject({ onHand: 0, reserved: 0, sold: FLASH_STOCK, available: 0 });
  });

  it(`flash sale with 30% payment failures: confirmed + cancelled = placed, on hand + sold = ${FLASH_STOCK}, no hold left`, async () => {
    const sku = 'SKU-000102';
    await setStock(inventory(), sku, FLASH_STOCK);
    await setPsp(stack.urls.payments[0], { failureRate: 0.3 });

    const results = await fireCheckouts(stack.urls.orders, BUYERS, 'flash-b', [{ sku, quantity: 1 }]);
    const accepted = results.filter((r) => r.status === 202);
    const statuses = await finalStatuses(stack.urls.orders[0], accepted);
    await runSweeper(inventory());
    const stock = await settledStock(inventory(), sku);
    const figures = report('flash sale, failure rate 0.3', results, statuses, stock);

    expect(figures.otherAnswers).toEqual({});
    expect(figures.confirmed + figures.cancelled).toBe(figures.placed);
    expect(figures.confirmed).toBeLessThanOrEqual(FLASH_STOCK);
    expect(stock.onHand + stock.sold).toBe(FLASH_STOCK);
    expect(stock.sold).toBe(figures.confirmed);
    expect(stock.reserved).toBe(0);
    const db = await connectPostgres();
    try {
      const { rows } = await db.query(
        `SELECT count(*)::int AS held FROM "${stack.schemas.inventory}".reservations WHERE sku = $1 AND status = 'HELD'`,
        [sku],
      );
      expect(rows[0].held).toBe(0);
    } finally {
      await db.end();
    }
    await setPsp(stack.urls.payments[0], { failureRate: 0 });
  });

  it('duplicate delivery of every event changes nothing: no second payment, no double stock move', async () => {
    const db = await connectPostgres();
    const snapshot = async () => {
      const q = async (sql: string) => (await db.query(sql)).rows;
      return {
        payments: await q(
          `SELECT order_id, status FROM "${stack.schemas.payments}".payments ORDER BY order_id`,
        ),
        charges: await q(`SELECT count(*)::int AS n FROM "${stack.schemas.payments}".psp_charges`),
        orders: await q(`SELECT id, status FROM "${stack.schemas.orders}".orders ORDER BY id`),
        stock: await q(
          `SELECT sku, on_hand, reserved, sold FROM "${stack.schemas.inventory}".stock WHERE sku IN ('SKU-000101','SKU-000102') ORDER BY sku`,
        ),
        notifications: await q(
          `SELECT count(*)::int AS n FROM "${stack.schemas.notifications}".notifications`,
        ),
      };
    };
    try {
      const before = await snapshot();
      const kafka = createKafka({ clientId: 'e2e-replay', brokers: testInfraEnv().KAFKA_BROKERS.split(',') });
      const replayed = await replayTopics(
        kafka,
        eventTopics.map((t) => stack.topicPrefix + t),
      );
      console.log(`replayed ${replayed} events (every event of the run, a second time)`);
      expect(replayed).toBeGreaterThan(0);
      await waitForConsumersToCatchUp(kafka, stack.topicPrefix);
      expect(await snapshot()).toEqual(before);
    } finally {
      await db.end();
    }
  });

  it('a payments crash mid-stream loses nothing: after a restart every order reaches a final state, charged once', async () => {
    const sku = 'SKU-000103';
    await setStock(inventory(), sku, 1_000);
    await setPsp(stack.urls.payments[0], { latencyMs: 150, failureRate: 0 });
    const results = await fireCheckouts(stack.urls.orders, 60, 'crash', [{ sku, quantity: 1 }]);
    expect(results.every((r) => r.status === 202)).toBe(true);

    const payments = stack.processes.find((p) => p.name === 'payments-1')!;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // some orders paid, the rest queued or in flight
    await payments.kill();
    const restarted = await stack.restart(payments);
    await setPsp(restarted.url, { latencyMs: 20, failureRate: 0 });

    const statuses = await finalStatuses(stack.urls.orders[0], results);
    console.log(
      `payments crash: ${statuses.filter((s) => s === 'CONFIRMED').length}/${results.length} confirmed after restart`,
    );
    expect(statuses.every((s) => s === 'CONFIRMED')).toBe(true);
    const db = await connectPostgres();
    try {
      const ids = results.map((r) => r.body.orderId);
      const { rows } = await db.query(
        `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS distinct_keys
         FROM "${stack.schemas.payments}".psp_charges WHERE idempotency_key = ANY($1::text[])`,
        [ids],
      );
      expect(rows[0]).toEqual({ n: 60, distinct_keys: 60 });
    } finally {
      await db.end();
    }
  });
});
