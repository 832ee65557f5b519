import { createKafka } from '@sdp/messaging';
import { connectPostgres, testInfraEnv, waitFor } from '@sdp/testing';
import type { Kafka } from 'kafkajs';
import type { Client } from 'pg';
import { readWholeTopic, replay } from '../../infra/local/src/dlq';
import { eventTopics } from '@sdp/topology';
import {
  checkout,
  checkoutLatency,
  fireCheckouts,
  finalStatuses,
  orderStatus,
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

// The payment saga's own notifications. Delivery reacts to order.confirmed on its own clock (a
// courier is assigned whenever a dispatcher gets to it, the delivery completes DELIVERY_TIME_MS
// later), so a confirmed order's courier news may land at any point; the late-payment tests check
// the cancelled order's delivery on its own (deliveryOf: cancelled, courier freed, told in order).
const SAGA_NOTIFICATIONS = `type NOT LIKE 'delivery.%'`;
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
    ...checkoutLatency(results),
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
  const HOLD_TTL_SECONDS = 1;
  let stack: TestStack;
  let db: Client;
  let kafka: Kafka;
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> =>
    (await db.query(sql, params)).rows[0] as T;

  beforeAll(async () => {
    stack = await startTestStack({
      // The sweeper runs when the test says so (POST /admin/sweeper/run): on its own it would also
      // sweep B's hold while B waits for its charge, and then whoever is confirmed first gets the unit.
      inventory: { RESERVATION_TTL_SECONDS: String(HOLD_TTL_SECONDS), SWEEPER_INTERVAL_MS: '600000' },
      payments: { PSP_LATENCY_MS: '20', PSP_FAILURE_RATE: '0', PSP_TIMEOUT_MS: '10000' },
    });
    db = await connectPostgres();
    kafka = createKafka({ clientId: 'e2e-late-payment', brokers: testInfraEnv().KAFKA_BROKERS.split(',') });
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const buy = async (user: string, sku: string): Promise<string> => {
    const res = await checkout(stack.urls.orders[0], user, [{ sku, quantity: 1 }]);
    expect(res.status).toBe(202);
    return res.body.orderId!;
  };
  const statusOf = (user: string, orderId: string) => orderStatus(stack.urls.orders[0], user, orderId);
  const paymentOf = (orderId: string) =>
    one<{ status: string; attempts: number; updated_at: Date } | undefined>(
      `SELECT status, attempts, updated_at FROM "${stack.schemas.payments}".payments WHERE order_id = $1`,
      [orderId],
    );
  const lateShortCount = async () => {
    let sum = 0;
    for (const url of stack.urls.inventory) {
      const text = await (await fetch(`${url}/metrics`)).text();
      sum += Number(/^inventory_late_confirmations_total\{outcome="short"\} (\S+)$/m.exec(text)?.[1] ?? 0);
    }
    return sum;
  };

  /** The sweeper releases the order's expired hold (retried: another stack may hold the cron lock a moment). */
  const sweepHoldOf = (orderId: string) =>
    waitFor(
      async () => {
        await runSweeper(stack.urls.inventory[0]);
        const hold = await one<{ status: string }>(
          `SELECT status FROM "${stack.schemas.inventory}".reservations WHERE order_id = $1`,
          [orderId],
        );
        return hold.status === 'RELEASED';
      },
      { timeoutMs: 10_000, intervalMs: 250, what: `the sweeper to release the expired hold of ${orderId}` },
    );

  /**
   * A's delivery as delivery and notifications see it: the job's status, couriers still carrying
   * the order, how many delivery events delivery outboxed for it, and the user's courier news
   * (type, and when it was assigned or cancelled).
   */
  const deliveryOf = async (orderId: string) => {
    const s = stack.schemas;
    const job = await one<{ status: string } | undefined>(
      `SELECT status FROM "${s.delivery}".delivery_jobs WHERE order_id = $1`,
      [orderId],
    );
    const count = async (sql: string) => (await one<{ n: number }>(sql, [orderId])).n;
    const news = (
      await db.query<{ type: string; at: string | null }>(
        `SELECT type, coalesce(payload->>'assignedAt', payload->>'cancelledAt') AS at
         FROM "${s.notifications}".notifications WHERE order_id = $1 AND type LIKE 'delivery.%' ORDER BY seq`,
        [orderId],
      )
    ).rows;
    return {
      job: job?.status ?? null,
      couriersCarrying: await count(
        `SELECT count(*)::int AS n FROM "${s.delivery}".couriers WHERE current_order_id = $1`,
      ),
      outboxed: await count(`SELECT count(*)::int AS n FROM "${s.delivery}".outbox WHERE key = $1::text`),
      notifications: news.map((n) => n.type),
      at: Object.fromEntries(news.map((n) => [n.type, n.at])),
    };
  };

  /**
   * Waits for the compensation to finish (A CANCELLED and refunded, B CONFIRMED, stock settled),
   * redelivers every event of the stack once more, and returns the figures, printed.
   */
  async function settle(
    title: string,
    run: {
      sku: string;
      orderA: string;
      orderB: string;
      started: number;
      timeline: Record<string, number>;
      /** inventory_late_confirmations_total{outcome="short"} before the scenario. */
      shortBefore: number;
    },
  ) {
    const { sku, orderA, orderB, started } = run;
    const s = stack.schemas;
    await waitFor(async () => (await statusOf('late-a', orderA)) === 'CANCELLED', {
      timeoutMs: 60_000,
      what: 'A to be cancelled after paying',
    });
    await waitFor(async () => (await statusOf('late-b', orderB)) === 'CONFIRMED', {
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
    const stock = await settledStock(stack.urls.inventory[0], sku);
    // Delivery hears order.cancelled on its own: every delivery event for A it outboxed reaches the user.
    await waitFor(
      async () => {
        const d = await deliveryOf(orderA);
        return d.job === 'CANCELLED' && d.notifications.length === d.outboxed && d;
      },
      { timeoutMs: 30_000, what: "A's delivery cancelled and its courier news delivered" },
    );

    // Every event again (at-least-once delivery): no order, refund, stock or notification may move.
    const snapshot = async () => ({
      refunds: (await db.query(`SELECT order_id, status FROM "${s.payments}".refunds ORDER BY order_id`))
        .rows,
      pspRefunds: (await db.query(`SELECT charge_key FROM "${s.payments}".psp_refunds ORDER BY charge_key`))
        .rows,
      orders: (await db.query(`SELECT id, status FROM "${s.orders}".orders ORDER BY id`)).rows,
      stock: (await db.query(`SELECT sku, on_hand, reserved, sold FROM "${s.inventory}".stock ORDER BY sku`))
        .rows,
      notifications: (
        await db.query(
          `SELECT type, order_id FROM "${s.notifications}".notifications WHERE ${SAGA_NOTIFICATIONS} ORDER BY seq`,
        )
      ).rows,
      deliveryA: await deliveryOf(orderA), // final: B's courier may still move, A's must not
    });
    const before = await snapshot();
    const replayed = await replayTopics(
      kafka,
      eventTopics.map((t) => stack.topicPrefix + t),
    );
    await waitForConsumersToCatchUp(kafka, stack.topicPrefix);
    expect(await snapshot()).toEqual(before);

    const refundsOf = async (orderId: string) =>
      (
        await db.query<{ cents: number; updated_at: Date }>(
          `SELECT amount_cents::int AS cents, updated_at FROM "${s.payments}".refunds WHERE order_id = $1 AND status = 'succeeded'`,
          [orderId],
        )
      ).rows;
    const notified = async (orderId: string) =>
      (
        await db.query<{ type: string }>(
          `SELECT type FROM "${s.notifications}".notifications WHERE order_id = $1 AND ${SAGA_NOTIFICATIONS} ORDER BY seq`,
          [orderId],
        )
      ).rows.map((r) => r.type);
    const customer = async (user: string, orderId: string) => {
      const order = await one<{ cancel_reason: string | null; total_cents: string }>(
        `SELECT cancel_reason, total_cents FROM "${s.orders}".orders WHERE id = $1`,
        [orderId],
      );
      const refunds = await refundsOf(orderId);
      return {
        status: await statusOf(user, orderId),
        payment: (await paymentOf(orderId))?.status,
        paidCents: Number(order.total_cents),
        refunds: refunds.length,
        refundedCents: refunds.reduce((sum, r) => sum + r.cents, 0),
        providerRefunds: (
          await one<{ n: number }>(
            `SELECT count(*)::int AS n FROM "${s.payments}".psp_refunds WHERE charge_key = $1`,
            [orderId],
          )
        ).n,
        reason: order.cancel_reason,
        notifications: await notified(orderId),
      };
    };
    const ms = (d: Date | undefined) => (d ? d.getTime() - started : null);
    const figures = {
      holdTtlSeconds: HOLD_TTL_SECONDS,
      timelineMs: {
        ...run.timeline,
        aPaid: ms((await paymentOf(orderA))?.updated_at),
        bPaid: ms((await paymentOf(orderB))?.updated_at),
        aRefunded: ms((await refundsOf(orderA))[0]?.updated_at),
      },
      customerA: await customer('late-a', orderA),
      customerB: await customer('late-b', orderB),
      deliveryA: await deliveryOf(orderA),
      lateConfirmationsShort: (await lateShortCount()) - run.shortBefore,
      replayedEvents: replayed,
      stock,
      oversold: Math.max(0, stock.sold - 1),
    };
    console.log(`${title}\n${JSON.stringify(figures, null, 2)}`);
    return figures;
  }

  function expectCompensated(figures: Awaited<ReturnType<typeof settle>>, sku: string) {
    expect(figures.customerA).toMatchObject({
      status: 'CANCELLED',
      payment: 'succeeded',
      refunds: 1,
      refundedCents: figures.customerA.paidCents, // in full
      providerRefunds: 1,
      reason: expect.stringMatching(new RegExp(`paid after its stock hold expired, and ${sku} sold out`)),
      notifications: ['order.confirmed', 'order.cancelled', 'payment.refunded'],
    });
    expect(figures.customerB).toMatchObject({
      status: 'CONFIRMED',
      payment: 'succeeded',
      refunds: 0,
      providerRefunds: 0,
      reason: null,
      notifications: ['order.confirmed'],
    });
    expect(figures.stock).toMatchObject({ onHand: 0, reserved: 0, sold: 1, available: 0 });
    expect(figures.stock.onHand + figures.stock.sold).toBe(1);
    // A's delivery ends cancelled, its courier (if a dispatcher got to it first) free again, and the
    // user is never left with "on its way": a delivery.assigned is always followed by its cancellation.
    const delivery = figures.deliveryA;
    expect(delivery).toMatchObject({ job: 'CANCELLED', couriersCarrying: 0 });
    expect([...delivery.notifications].sort()).toEqual(
      delivery.notifications.includes('delivery.assigned')
        ? ['delivery.assigned', 'delivery.cancelled']
        : delivery.outboxed === 0
          ? [] // the cancellation overtook the confirmation: no job was ever created
          : ['delivery.cancelled'],
    );
    if (delivery.notifications.includes('delivery.assigned')) {
      expect(Date.parse(delivery.at['delivery.cancelled']!)).toBeGreaterThanOrEqual(
        Date.parse(delivery.at['delivery.assigned']!),
      );
    }
  }

  it('stock 1, A’s provider call outlasts the hold, the sweeper gives the unit to B → A cancelled and refunded once, B confirmed, never oversold', async () => {
    const sku = 'SKU-000104';
    const payments = stack.urls.payments[0];
    const started = Date.now();
    const timeline: Record<string, number> = {};
    const shortBefore = await lateShortCount();
    await setStock(stack.urls.inventory[0], sku, 1);

    // A's charge is slow: the provider reads its settings once per call (0.5x-1.5x: 2.5 s at least).
    await setPsp(payments, { latencyMs: 5_000 });
    const orderA = await buy('late-a', sku);
    timeline.aPlaced = Date.now() - started;
    await waitFor(async () => (await paymentOf(orderA)) !== undefined, {
      timeoutMs: 20_000,
      what: "A's charge to start",
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the call has read its settings by now
    await setPsp(payments, { latencyMs: 20 });

    await sweepHoldOf(orderA);
    timeline.aHoldReleased = Date.now() - started;
    const orderB = await buy('late-b', sku); // the unit A's hold no longer covers
    timeline.bPlaced = Date.now() - started;
    expect((await paymentOf(orderA))?.status).toBe('pending'); // A's charge is still in flight

    // Payments charges one order.placed at a time, so B's charge waits behind A's: A's success lands
    // first, while B holds the unit. Inventory finds A short all the same.
    const figures = await settle('payment slower than its hold (slow provider call), stock 1', {
      sku,
      orderA,
      orderB,
      started,
      timeline,
      shortBefore,
    });
    expectCompensated(figures, sku);
    expect(figures.lateConfirmationsShort).toBe(1);
  });

  it('stock 1, A’s payment is parked in the DLQ past the hold, B buys and is confirmed, then A’s replayed payment succeeds → A cancelled and refunded once, B confirmed', async () => {
    const sku = 'SKU-000105';
    const s = stack.schemas;
    const shortBefore = await lateShortCount();
    await setStock(stack.urls.inventory[0], sku, 1);

    // A provider slower than payments waits: every call times out (the provider records the charge
    // in the background), payments gives up and parks A's order.placed in the DLQ, payment pending.
    const old = stack.processes.find((p) => p.name === 'payments-1')!;
    await old.stop();
    const payments = (await stack.restart(old, { PSP_TIMEOUT_MS: '200' })).url;
    await setPsp(payments, { latencyMs: 5_000 });
    const started = Date.now();
    const timeline: Record<string, number> = {};
    const orderA = await buy('late-a', sku);
    timeline.aPlaced = Date.now() - started;

    await sweepHoldOf(orderA);
    timeline.aHoldReleased = Date.now() - started;
    const dlq = `${stack.topicPrefix}order.placed.dlq`;
    const parked = await waitFor(
      async () => {
        const letters = (await readWholeTopic(kafka, dlq)).filter((letter) => letter.key === orderA);
        return letters.length > 0 && letters;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: "A's order.placed in the DLQ" },
    );
    timeline.aParked = Date.now() - started;
    expect(await paymentOf(orderA)).toMatchObject({ status: 'pending' });
    expect(
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${s.payments}".psp_charges WHERE idempotency_key = $1`,
          [orderA],
        )
      ).n,
    ).toBe(1); // charged once, the answer never came back in time

    // The provider recovers; B buys the unit and is confirmed (stock committed).
    await setPsp(payments, { latencyMs: 20 });
    const orderB = await buy('late-b', sku);
    timeline.bPlaced = Date.now() - started;
    await waitFor(async () => (await statusOf('late-b', orderB)) === 'CONFIRMED', {
      timeoutMs: 30_000,
      what: 'B to be confirmed',
    });
    const committed = await settledStock(stack.urls.inventory[0], sku);
    expect(committed).toMatchObject({ onHand: 0, sold: 1 });
    timeline.bConfirmed = Date.now() - started;

    // An operator replays the DLQ (`pnpm dlq replay order.placed`): same key, the recorded charge.
    await replay(kafka, parked);
    timeline.aReplayed = Date.now() - started;
    const figures = await settle('payment slower than its hold (parked in the DLQ, replayed), stock 1', {
      sku,
      orderA,
      orderB,
      started,
      timeline,
      shortBefore,
    });
    expectCompensated(figures, sku);
    expect(figures.timelineMs.aPaid).toBeGreaterThan(timeline.bConfirmed);
    expect(figures.lateConfirmationsShort).toBe(1);
  });
});
