import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrderCancelled, OrderPlaced } from '@sdp/contracts';
import {
  createEnvelope,
  createKafka,
  headers,
  headerText,
  toKafkaMessage,
  type EventEnvelope,
} from '@sdp/messaging';
import {
  asUser,
  connectPostgres,
  serviceTestEnv,
  serviceTestScope,
  testInfraEnv,
  uniqueName,
  waitFor,
} from '@sdp/testing';
import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import type { Client } from 'pg';
import { createPaymentsApp } from './app';
import { loadPaymentsConfig } from './config';

// payments in-process on a private schema and topic prefix, against the real Postgres and Kafka.
const scope = serviceTestScope('payments');
const { schema } = scope;
const topic = (name: string) => `${scope.topicPrefix}${name}`;

interface Received {
  topic: string;
  key: string;
  envelope: EventEnvelope<Record<string, unknown>>;
  value: string;
  reason?: string;
}

describe('payments (integration)', () => {
  let app: NestFastifyApplication;
  let db: Client;
  let producer: Producer;
  let listener: Consumer;
  const received: Received[] = [];
  const kafka = createKafka({ clientId: 'payments-int', brokers: testInfraEnv().KAFKA_BROKERS.split(',') });
  const admin = () => asUser('admin-1', 'admin');

  const setPsp = async (settings: Record<string, number>) => {
    const res = await app.inject({ method: 'PUT', url: '/admin/psp', headers: admin(), payload: settings });
    expect(res.statusCode).toBe(200);
  };
  const publish = (...messages: (EventEnvelope | { key: string; value: string })[]) =>
    producer.send({
      topic: topic('order.placed'),
      acks: -1,
      messages: messages.map((m) => ('id' in m ? toKafkaMessage(m) : m)),
    });
  const orderPlaced = (orderId = randomUUID(), totalCents = 2_500) =>
    OrderPlaced.create(
      orderId,
      {
        orderId,
        userId: 'user-1',
        items: [{ sku: 'SKU-000001', quantity: 2, priceCents: 1_250 }],
        totalCents,
      },
      uniqueName('req'),
    );
  const resultsFor = (orderId: string) =>
    received.filter(
      (m) => m.key === orderId && !m.topic.endsWith('.dlq') && m.topic !== topic('payment.refunded'),
    );
  const firstResult = (orderId: string) =>
    waitFor(() => resultsFor(orderId)[0], { timeoutMs: 20_000, what: `the payment result for ${orderId}` });
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema.name}".${sql}`, params)).rows[0]
      .n;
  const metric = async (name: string): Promise<number> => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };

  beforeAll(async () => {
    app = await createPaymentsApp(
      loadPaymentsConfig(
        serviceTestEnv(scope, {
          INSTANCE_ID: 'payments-int',
          PSP_LATENCY_MS: '20',
          PSP_FAILURE_RATE: '0',
          PSP_TIMEOUT_MS: '300',
        }),
      ),
    );
    await app.init(); // creates the prefixed topics and starts the consumer and the outbox relay
    await app.getHttpAdapter().getInstance().ready();
    db = await connectPostgres();
    producer = kafka.producer();
    await producer.connect();
    listener = kafka.consumer({ groupId: uniqueName('payments-int') });
    await listener.connect();
    await listener.subscribe({
      topics: [
        topic('payment.succeeded'),
        topic('payment.failed'),
        topic('payment.refunded'),
        topic('order.placed.dlq'),
      ],
      fromBeginning: true,
    });
    await listener.run({
      eachMessage: async ({ topic: from, message }) => {
        const value = message.value?.toString() ?? '';
        let envelope: Received['envelope'];
        try {
          envelope = JSON.parse(value);
        } catch {
          envelope = {} as Received['envelope'];
        }
        received.push({
          topic: from,
          key: message.key?.toString() ?? '',
          envelope,
          value,
          reason: headerText(message.headers?.[headers.dlqReason]),
        });
      },
    });
  });

  afterAll(async () => {
    await listener?.disconnect();
    await producer?.disconnect();
    await app?.close();
    await db?.end();
    await schema.drop();
  });

  it('charges an order and emits payment.succeeded keyed by the order id with its amount', async () => {
    await setPsp({ failureRate: 0, timeoutRate: 0 });
    const placed = orderPlaced(undefined, 4_321);
    const orderId = placed.data.orderId;
    await publish(placed);

    const result = await firstResult(orderId);
    expect(result.topic).toBe(topic('payment.succeeded'));
    expect(result.envelope).toMatchObject({
      type: 'payment.succeeded',
      key: orderId,
      requestId: placed.requestId,
      data: { orderId, amountCents: 4_321, paymentId: expect.any(String) },
    });
    const payment = await db.query(`SELECT * FROM "${schema.name}".payments WHERE order_id = $1`, [orderId]);
    expect(payment.rows).toEqual([
      expect.objectContaining({ id: result.envelope.data.paymentId, status: 'succeeded', attempts: 1 }),
    ]);
    const charges = await db.query(`SELECT * FROM "${schema.name}".psp_charges WHERE idempotency_key = $1`, [
      orderId,
    ]);
    expect(charges.rows).toEqual([expect.objectContaining({ amount_cents: '4321', outcome: 'approved' })]);
  });

  it('emits payment.failed with a reason when the provider declines', async () => {
    await setPsp({ failureRate: 1, timeoutRate: 0 });
    const placed = orderPlaced();
    const orderId = placed.data.orderId;
    await publish(placed);

    const result = await firstResult(orderId);
    expect(result.topic).toBe(topic('payment.failed'));
    expect(result.envelope.data).toMatchObject({ orderId, reason: expect.stringMatching(/declined/) });
    const { rows } = await db.query(
      `SELECT status, failure_reason FROM "${schema.name}".payments WHERE order_id = $1`,
      [orderId],
    );
    expect(rows).toEqual([{ status: 'failed', failure_reason: expect.stringMatching(/card_declined/) }]);
  });

  it('charges once and emits one result when order.placed is delivered again (same and new event id)', async () => {
    await setPsp({ failureRate: 0, timeoutRate: 0 });
    const placed = orderPlaced();
    const orderId = placed.data.orderId;
    const sameOrderNewEvent = { ...placed, id: randomUUID() };
    const duplicatesBefore = await metric('payments_duplicate_deliveries_total');

    await publish(placed, placed, sameOrderNewEvent); // one key, one partition: handled in this order
    await firstResult(orderId);
    await waitFor(async () => (await metric('payments_duplicate_deliveries_total')) >= duplicatesBefore + 2, {
      timeoutMs: 20_000,
      what: 'both redeliveries to be handled',
    });

    expect(await count('psp_charges WHERE idempotency_key = $1', [orderId])).toBe(1);
    expect(await count('payments WHERE order_id = $1', [orderId])).toBe(1);
    expect(await count('outbox WHERE key = $1', [orderId])).toBe(1);
    expect(
      await count('processed_messages WHERE event_id = ANY($1::uuid[])', [[placed.id, sameOrderNewEvent.id]]),
    ).toBe(2);
    await waitFor(async () => (await count('outbox WHERE published_at IS NULL', [])) === 0, {
      what: 'the relay to drain',
    });
    expect(resultsFor(orderId)).toHaveLength(1);
  });

  it('charges once when the provider times out after recording the charge, and still settles the order', async () => {
    await setPsp({ failureRate: 0, timeoutRate: 1 });
    const timeoutsBefore = await metric('psp_timeouts_total');
    const placed = orderPlaced();
    const orderId = placed.data.orderId;
    await publish(placed);

    // The provider recorded the charge, but its answer is lost: we only see timeouts.
    await waitFor(async () => (await count('psp_charges WHERE idempotency_key = $1', [orderId])) === 1, {
      timeoutMs: 20_000,
      what: 'the provider to record the charge',
    });
    await waitFor(async () => (await metric('psp_timeouts_total')) > timeoutsBefore, {
      what: 'a provider timeout',
    });
    expect(resultsFor(orderId)).toHaveLength(0);
    await setPsp({ timeoutRate: 0 }); // the network heals; the retry asks again with the same key

    const result = await firstResult(orderId);
    expect(result.topic).toBe(topic('payment.succeeded'));
    expect(await count('psp_charges WHERE idempotency_key = $1', [orderId])).toBe(1);
    const { rows } = await db.query(
      `SELECT status, attempts FROM "${schema.name}".payments WHERE order_id = $1`,
      [orderId],
    );
    expect(rows).toEqual([{ status: 'succeeded', attempts: expect.any(Number) }]);
    expect(rows[0].attempts).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters malformed order.placed messages with a reason, and charges nothing', async () => {
    const notJsonKey = randomUUID();
    const badData = createEnvelope('order.placed', randomUUID(), { orderId: 'nope', totalCents: -1 });
    await publish({ key: notJsonKey, value: '{"id": oops' }, badData);

    const dead = await waitFor(
      () => {
        const found = received.filter((m) => m.topic === topic('order.placed.dlq'));
        return found.length >= 2 && found;
      },
      { timeoutMs: 20_000, what: 'two messages on order.placed.dlq' },
    );
    expect(dead.find((m) => m.key === notJsonKey)?.reason).toMatch(/invalid JSON/);
    expect(dead.find((m) => m.key === badData.key)?.reason).toMatch(
      /invalid data for "order.placed".*totalCents/,
    );
    expect(await count('payments WHERE order_id::text = ANY($1)', [[badData.key, notJsonKey]])).toBe(0);
  });

  describe('refunds on order.cancelled', () => {
    const orderCancelled = (orderId: string, reason = 'paid after its stock hold expired') =>
      OrderCancelled.create(
        orderId,
        { orderId, userId: 'user-1', items: [{ sku: 'SKU-000001', quantity: 2, priceCents: 1_250 }], reason },
        uniqueName('req'),
      );
    const cancel = (...events: EventEnvelope[]) =>
      producer.send({ topic: topic('order.cancelled'), acks: -1, messages: events.map(toKafkaMessage) });
    const paidOrder = async (): Promise<string> => {
      await setPsp({ failureRate: 0, timeoutRate: 0 });
      const placed = orderPlaced();
      await publish(placed);
      expect((await firstResult(placed.data.orderId)).topic).toBe(topic('payment.succeeded'));
      return placed.data.orderId;
    };
    const refundedEvents = (orderId: string) =>
      received.filter((m) => m.key === orderId && m.topic === topic('payment.refunded'));
    const consumed = (eventId: string) =>
      waitFor(async () => (await count('processed_messages WHERE event_id = $1', [eventId])) === 1, {
        timeoutMs: 20_000,
        what: `order.cancelled ${eventId} to be consumed`,
      });
    const refunds = (outcome: string) => metric(`payments_refunds_total{outcome="${outcome}"}`);

    it('refunds a paid order once when order.cancelled is delivered twice and re-emitted, and emits payment.refunded', async () => {
      const orderId = await paidOrder();
      const cancelled = orderCancelled(orderId);
      const reemitted = orderCancelled(orderId); // a new event id: only the refunds row can catch it
      const duplicatesBefore = await refunds('duplicate');
      await cancel(cancelled, cancelled, reemitted); // one key, one partition: handled in this order
      await consumed(reemitted.id);

      const refunded = await waitFor(() => refundedEvents(orderId)[0], {
        timeoutMs: 20_000,
        what: 'payment.refunded',
      });
      const { rows: payment } = await db.query(
        `SELECT id FROM "${schema.name}".payments WHERE order_id = $1`,
        [orderId],
      );
      const { rows: refundRows } = await db.query(
        `SELECT id, payment_id, amount_cents, status, reason, attempts FROM "${schema.name}".refunds WHERE order_id = $1`,
        [orderId],
      );
      expect(refundRows).toEqual([
        {
          id: expect.any(String),
          payment_id: payment[0].id,
          amount_cents: '2500',
          status: 'succeeded',
          reason: 'paid after its stock hold expired',
          attempts: 1,
        },
      ]);
      expect(refunded.envelope).toMatchObject({
        type: 'payment.refunded',
        key: orderId,
        requestId: cancelled.requestId,
        data: {
          orderId,
          userId: 'user-1',
          paymentId: payment[0].id,
          refundId: refundRows[0].id,
          amountCents: 2_500,
          reason: 'paid after its stock hold expired',
        },
      });
      expect(await count('psp_refunds WHERE charge_key = $1', [orderId])).toBe(1);
      expect(await count(`outbox WHERE key = $1 AND topic = 'payment.refunded'`, [orderId])).toBe(1);
      expect(await refunds('duplicate')).toBe(duplicatesBefore + 2);
      await waitFor(async () => (await count('outbox WHERE published_at IS NULL', [])) === 0, {
        what: 'the relay to drain',
      });
      expect(refundedEvents(orderId)).toHaveLength(1);
    });

    it('refunds once when the provider loses the answer: the retry with the same key gets the recorded refund', async () => {
      const orderId = await paidOrder();
      await setPsp({ timeoutRate: 1 });
      const timeoutsBefore = await metric('psp_timeouts_total');
      await cancel(orderCancelled(orderId));

      await waitFor(async () => (await count('psp_refunds WHERE charge_key = $1', [orderId])) === 1, {
        timeoutMs: 20_000,
        what: 'the provider to record the refund',
      });
      await waitFor(async () => (await metric('psp_timeouts_total')) > timeoutsBefore, {
        what: 'a provider timeout',
      });
      expect(refundedEvents(orderId)).toHaveLength(0);
      await setPsp({ timeoutRate: 0 });

      await waitFor(() => refundedEvents(orderId)[0], { timeoutMs: 20_000, what: 'payment.refunded' });
      expect(await count('psp_refunds WHERE charge_key = $1', [orderId])).toBe(1);
      const { rows } = await db.query(
        `SELECT status, attempts FROM "${schema.name}".refunds WHERE order_id = $1`,
        [orderId],
      );
      expect(rows).toEqual([{ status: 'succeeded', attempts: expect.any(Number) }]);
      expect(rows[0].attempts).toBeGreaterThanOrEqual(2);
    });

    it('refunds nothing for a cancelled order whose charge was declined, or that was never charged', async () => {
      await setPsp({ failureRate: 1, timeoutRate: 0 });
      const placed = orderPlaced();
      const declined = placed.data.orderId;
      await publish(placed);
      expect((await firstResult(declined)).topic).toBe(topic('payment.failed'));
      const neverCharged = randomUUID();
      const notPaidBefore = await refunds('not_paid');

      const events = [orderCancelled(declined, 'card declined'), orderCancelled(neverCharged)];
      await cancel(...events);
      for (const event of events) await consumed(event.id);

      expect(await refunds('not_paid')).toBe(notPaidBefore + 2);
      expect(await count('refunds WHERE order_id = ANY($1::uuid[])', [[declined, neverCharged]])).toBe(0);
      expect(await count('psp_refunds WHERE charge_key = ANY($1)', [[declined, neverCharged]])).toBe(0);
      expect(
        await count(`outbox WHERE topic = 'payment.refunded' AND key = ANY($1)`, [[declined, neverCharged]]),
      ).toBe(0);
      await setPsp({ failureRate: 0 });
    });
  });

  describe('admin PSP settings', () => {
    it('shows and changes the settings', async () => {
      const res = await app.inject({
        method: 'PUT',
        url: '/admin/psp',
        headers: admin(),
        payload: { latencyMs: 5, failureRate: 0.25, timeoutRate: 0 },
      });
      expect(res.statusCode).toBe(200);
      const shown = await app.inject({ method: 'GET', url: '/admin/psp', headers: admin() });
      expect(shown.json()).toEqual({ latencyMs: 5, failureRate: 0.25, timeoutRate: 0, timeoutMs: 300 });
      expect(shown.headers['cache-control']).toBe('no-store');
    });

    it.each([
      [{ failureRate: 1.5 }, /failureRate must be between 0 and 1/],
      [{ timeoutRate: -0.1 }, /timeoutRate must be between 0 and 1/],
      [{ failureRate: 'often' }, /failureRate must be a number/],
      [{ latencyMs: 10_001 }, /latencyMs must be between 0 and 10000/],
      [{ latencyMs: 2.5 }, /latencyMs must be an integer/],
      [{ timeoutMs: 10 }, /property timeoutMs should not exist/],
      [{}, /body must set at least one of latencyMs, failureRate, timeoutRate/],
    ])('answers 400 for %j and changes nothing', async (payload, message) => {
      const before = (await app.inject({ method: 'GET', url: '/admin/psp', headers: admin() })).json();
      const res = await app.inject({ method: 'PUT', url: '/admin/psp', headers: admin(), payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringMatching(message),
      });
      expect((await app.inject({ method: 'GET', url: '/admin/psp', headers: admin() })).json()).toEqual(
        before,
      );
    });

    it('answers 403 to a customer and 401 without a gateway identity', async () => {
      const asCustomer = await app.inject({
        method: 'PUT',
        url: '/admin/psp',
        headers: asUser('user-1'),
        payload: { failureRate: 1 },
      });
      expect(asCustomer.statusCode).toBe(403);
      expect(asCustomer.json()).toMatchObject({ statusCode: 403, message: 'requires role admin' });
      expect((await app.inject({ method: 'GET', url: '/admin/psp' })).statusCode).toBe(401);
    });
  });
});
