import { createKafka } from '@sdp/messaging';
import { connectPostgres, testInfraEnv, waitFor } from '@sdp/testing';
import { eventTopics } from '@sdp/topology';
import {
  checkout,
  fireCheckouts,
  finalStatuses,
  orderStatus,
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
// a payments crash mid-stream, and a payment slower than its stock hold (compensated by a refund).

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

describe('a payment slower than its stock hold (e2e)', () => {
  let stack: TestStack;
  const HOLD_TTL_SECONDS = 1;
  const SLOW_PSP_MS = 5_000; // each call takes 0.5x-1.5x: at least 2.5 s, well past the hold's 1 s

  beforeAll(async () => {
    stack = await startTestStack({
      // The sweeper runs when the test says so (POST /admin/sweeper/run): on its own it would also
      // sweep B's hold while B's charge waits behind A's slow one in the payments consumer.
      inventory: { RESERVATION_TTL_SECONDS: String(HOLD_TTL_SECONDS), SWEEPER_INTERVAL_MS: '600000' },
      payments: { PSP_LATENCY_MS: '20', PSP_FAILURE_RATE: '0', PSP_TIMEOUT_MS: '10000' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('stock 1: A pays after the sweeper gave A’s unit to B → A cancelled and refunded once, B confirmed, never oversold', async () => {
    const sku = 'SKU-000104';
    const inventory = stack.urls.inventory[0];
    const orders = stack.urls.orders[0];
    const payments = stack.urls.payments[0];
    const s = stack.schemas;
    const db = await connectPostgres();
    const one = async <T>(sql: string, params: unknown[] = []): Promise<T> =>
      (await db.query(sql, params)).rows[0] as T;
    const started = Date.now();
    const at = () => Date.now() - started;
    const timeline: Record<string, number> = {};
    try {
      await setStock(inventory, sku, 1);

      // A's charge is slow: the provider reads its settings once per call, so only A's call is.
      await setPsp(payments, { latencyMs: SLOW_PSP_MS });
      const a = await checkout(orders, 'late-a', [{ sku, quantity: 1 }]);
      expect(a.status).toBe(202);
      const orderA = a.body.orderId!;
      timeline.aPlaced = at();
      await waitFor(
        async () =>
          (await db.query(`SELECT 1 FROM "${s.payments}".payments WHERE order_id = $1`, [orderA]))
            .rowCount === 1,
        { timeoutMs: 20_000, what: "A's charge to start" },
      );
      await new Promise((resolve) => setTimeout(resolve, 200)); // the call has read its settings by now
      await setPsp(payments, { latencyMs: 20 });

      // A's hold expires; the sweeper releases it (retried: the cron lock may be busy for a moment).
      await waitFor(
        async () => {
          await runSweeper(inventory);
          const hold = await one<{ status: string }>(
            `SELECT status FROM "${s.inventory}".reservations WHERE order_id = $1`,
            [orderA],
          );
          return hold.status === 'RELEASED';
        },
        { timeoutMs: 10_000, intervalMs: 250, what: "the sweeper to release A's expired hold" },
      );
      timeline.aHoldReleased = at();

      // B buys the unit A's hold no longer covers; A's charge is still in flight.
      const b = await checkout(orders, 'late-b', [{ sku, quantity: 1 }]);
      expect(b.status).toBe(202);
      const orderB = b.body.orderId!;
      timeline.bPlaced = at();
      expect(
        await one<{ status: string }>(`SELECT status FROM "${s.payments}".payments WHERE order_id = $1`, [
          orderA,
        ]),
      ).toEqual({ status: 'pending' });

      // A's payment succeeds late → A CONFIRMED → inventory is short → order.unfulfillable → A
      // CANCELLED → order.cancelled → refund → payment.refunded. B's charge, queued behind A's, goes through.
      await waitFor(async () => (await orderStatus(orders, 'late-a', orderA)) === 'CANCELLED', {
        timeoutMs: 60_000,
        what: 'A to be cancelled after paying',
      });
      await waitFor(async () => (await orderStatus(orders, 'late-b', orderB)) === 'CONFIRMED', {
        timeoutMs: 60_000,
        what: 'B to be confirmed',
      });
      await waitFor(
        async () =>
          (
            await db.query(
              `SELECT 1 FROM "${s.notifications}".notifications WHERE order_id = $1 AND type = 'payment.refunded'`,
              [orderA],
            )
          ).rowCount === 1,
        { timeoutMs: 30_000, what: "A's refund notification" },
      );
      const stock = await settledStock(inventory, sku);

      // Every compensation event again (at-least-once): nothing may move a second time.
      const snapshot = async () => ({
        refunds: (await db.query(`SELECT order_id, status FROM "${s.payments}".refunds`)).rows,
        pspRefunds: (await db.query(`SELECT charge_key FROM "${s.payments}".psp_refunds`)).rows,
        orders: (await db.query(`SELECT id, status FROM "${s.orders}".orders ORDER BY id`)).rows,
        stock: await one(`SELECT on_hand, reserved, sold FROM "${s.inventory}".stock WHERE sku = $1`, [sku]),
        notifications: (
          await db.query(`SELECT type, order_id FROM "${s.notifications}".notifications ORDER BY seq`)
        ).rows,
      });
      const before = await snapshot();
      const kafka = createKafka({
        clientId: 'e2e-replay-late',
        brokers: testInfraEnv().KAFKA_BROKERS.split(','),
      });
      const replayed = await replayTopics(
        kafka,
        eventTopics.map((t) => stack.topicPrefix + t),
      );
      await waitForConsumersToCatchUp(kafka, stack.topicPrefix);
      expect(await snapshot()).toEqual(before);

      const paid = async (orderId: string) =>
        one<{ status: string; updated_at: Date }>(
          `SELECT status, updated_at FROM "${s.payments}".payments WHERE order_id = $1`,
          [orderId],
        );
      const refundsA = (
        await db.query(
          `SELECT r.amount_cents::int AS cents, r.status, r.updated_at FROM "${s.payments}".refunds r WHERE r.order_id = $1`,
          [orderA],
        )
      ).rows;
      const orderRowA = await one<{ cancel_reason: string; total_cents: string }>(
        `SELECT cancel_reason, total_cents FROM "${s.orders}".orders WHERE id = $1`,
        [orderA],
      );
      const notified = async (orderId: string) =>
        (
          await db.query(
            `SELECT type FROM "${s.notifications}".notifications WHERE order_id = $1 ORDER BY seq`,
            [orderId],
          )
        ).rows.map((r: { type: string }) => r.type);
      const lateShort = (
        await Promise.all(
          stack.urls.inventory.map(async (url) => {
            const text = await (await fetch(`${url}/metrics`)).text();
            return Number(
              /^inventory_late_confirmations_total\{outcome="short"\} (\S+)$/m.exec(text)?.[1] ?? 0,
            );
          }),
        )
      ).reduce((x, y) => x + y, 0);
      const ms = (d: Date) => d.getTime() - started;
      const figures = {
        holdTtlSeconds: HOLD_TTL_SECONDS,
        timelineMs: {
          ...timeline,
          aPaid: ms((await paid(orderA)).updated_at),
          bPaid: ms((await paid(orderB)).updated_at),
          aRefunded: refundsA[0] ? ms(refundsA[0].updated_at) : null,
        },
        customerA: {
          status: await orderStatus(orders, 'late-a', orderA),
          payment: (await paid(orderA)).status,
          refunds: refundsA.length,
          refundedCents: refundsA.reduce((sum: number, r: { cents: number }) => sum + r.cents, 0),
          providerRefunds: (
            await one<{ n: number }>(
              `SELECT count(*)::int AS n FROM "${s.payments}".psp_refunds WHERE charge_key = $1`,
              [orderA],
            )
          ).n,
          paidCents: Number(orderRowA.total_cents),
          reason: orderRowA.cancel_reason,
          notifications: await notified(orderA),
        },
        customerB: {
          status: await orderStatus(orders, 'late-b', orderB),
          payment: (await paid(orderB)).status,
          refunds: (
            await one<{ n: number }>(
              `SELECT count(*)::int AS n FROM "${s.payments}".refunds WHERE order_id = $1`,
              [orderB],
            )
          ).n,
          notifications: await notified(orderB),
        },
        lateConfirmationsShort: lateShort,
        replayedEvents: replayed,
        stock,
        oversold: Math.max(0, stock.sold - 1),
      };
      console.log(`payment slower than its hold, stock 1\n${JSON.stringify(figures, null, 2)}`);

      expect(figures.customerA).toMatchObject({
        status: 'CANCELLED',
        payment: 'succeeded',
        refunds: 1,
        providerRefunds: 1,
        reason: expect.stringMatching(/paid after its stock hold expired, and SKU-000104 sold out/),
        notifications: expect.arrayContaining(['order.confirmed', 'order.cancelled', 'payment.refunded']),
      });
      expect(figures.customerA.refundedCents).toBe(figures.customerA.paidCents); // in full
      expect(figures.customerA.notifications.filter((t: string) => t === 'payment.refunded')).toHaveLength(1);
      expect(figures.customerB).toEqual({
        status: 'CONFIRMED',
        payment: 'succeeded',
        refunds: 0,
        notifications: ['order.confirmed'],
      });
      expect(lateShort).toBe(1);
      expect(stock).toMatchObject({ onHand: 0, reserved: 0, sold: 1, available: 0 });
      expect(stock.onHand + stock.sold).toBe(1);
    } finally {
      await db.end();
    }
  });
});
