import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrderCancelled, OrderConfirmed } from '@sdp/contracts';
import { LockService } from '@sdp/locks';
import { createKafka, toKafkaMessage } from '@sdp/messaging';
import {
  asUser,
  connectPostgres,
  serviceTestEnv,
  serviceTestScope,
  testInfraEnv,
  waitFor,
} from '@sdp/testing';
import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { Client } from 'pg';
import { createDeliveryApp } from './app';
import { loadDeliveryConfig } from './config';
import { AssignmentsRepository } from './dispatch/assignments.repository';
import { CompletionService } from './dispatch/completion.service';
import { courierLock, DispatcherService } from './dispatch/dispatcher.service';

// delivery in-process on a private schema, topic prefix and lock prefix, against the real Postgres,
// Kafka and lock nodes. The dispatcher loop is off (DISPATCH_ENABLED=false): each test runs rounds
// itself, so it knows exactly which locks are held when.
const scope = serviceTestScope('delivery');
const { schema } = scope;

describe('delivery (integration)', () => {
  let app: NestFastifyApplication;
  let db: Client;
  let producer: Producer;
  let dispatcher: DispatcherService;
  let repository: AssignmentsRepository;
  let locks: LockService;
  const kafka = createKafka({ clientId: 'delivery-int', brokers: testInfraEnv().KAFKA_BROKERS.split(',') });

  const confirmed = (orderId: string = randomUUID(), userId = 'user-1') =>
    OrderConfirmed.create(orderId, {
      orderId,
      userId,
      items: [{ sku: 'SKU-000001', quantity: 1, priceCents: 1_000 }],
      totalCents: 1_000,
    });
  const publish = (...envelopes: ReturnType<typeof confirmed>[]) =>
    producer.send({
      topic: `${scope.topicPrefix}order.confirmed`,
      acks: -1,
      messages: envelopes.map(toKafkaMessage),
    });
  const cancelled = (event: ReturnType<typeof confirmed>) =>
    OrderCancelled.create(event.data.orderId, {
      orderId: event.data.orderId,
      userId: event.data.userId,
      items: event.data.items,
      reason: 'paid after its stock hold expired, and SKU-000001 sold out',
      confirmedAt: new Date().toISOString(),
    });
  const publishCancel = (...envelopes: ReturnType<typeof cancelled>[]) =>
    producer.send({
      topic: `${scope.topicPrefix}order.cancelled`,
      acks: -1,
      messages: envelopes.map(toKafkaMessage),
    });
  /** Waits until the consumer named `consumer` has committed every one of `eventIds`. */
  const consumed = (consumer: string, ...eventIds: string[]) =>
    waitFor(
      async () =>
        (
          await rows(`SELECT 1 FROM $schema.processed_messages WHERE consumer = $1 AND event_id = ANY($2)`, [
            consumer,
            eventIds,
          ])
        ).length === eventIds.length,
      { timeoutMs: 20_000, what: `${consumer} to consume ${eventIds.length} event(s)` },
    );
  const cancelConsumed = (...events: { id: string }[]) =>
    consumed('delivery.order-cancelled', ...events.map((e) => e.id));
  const jobRow = async (orderId: string) =>
    (
      await rows<{ status: string; courier_id: string | null }>(
        `SELECT status, courier_id FROM $schema.delivery_jobs WHERE order_id = $1`,
        [orderId],
      )
    )[0];
  /** Couriers with more than one open assignment: must always be none. */
  const doubleBooked = () =>
    rows(
      `SELECT courier_id FROM $schema.assignments WHERE released_at IS NULL GROUP BY courier_id HAVING count(*) > 1`,
    );
  const rows = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await db.query<T>(sql.replaceAll('$schema', `"${schema.name}"`), params)).rows;
  const jobFor = async (orderId: string) =>
    waitFor(
      async () =>
        (
          await rows<{ id: string; status: string }>(
            `SELECT id, status FROM $schema.delivery_jobs WHERE order_id = $1`,
            [orderId],
          )
        )[0],
      { timeoutMs: 20_000, what: `the delivery job of ${orderId}` },
    );
  const courierStates = async () =>
    Object.fromEntries(
      (await rows<{ id: string; status: string }>(`SELECT id, status FROM $schema.couriers ORDER BY id`)).map(
        (c) => [c.id, c.status],
      ),
    );
  const outbox = (topic: string, orderId: string) =>
    rows(`SELECT id FROM $schema.outbox WHERE topic = $1 AND key = $2`, [topic, orderId]);
  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });
  const metric = async (name: string, label = ''): Promise<number> => {
    const text = (await get('/metrics')).body;
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*${label}[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };
  /** Delivers every assigned order now (the courier's time is up) and frees the couriers. */
  const deliverAll = async () => {
    await db.query(
      `UPDATE "${schema.name}".delivery_jobs SET deliver_due_at = now() WHERE status = 'ASSIGNED'`,
    );
    // The app's own completion loop may hold a row (SKIP LOCKED): go on until it has committed too.
    await waitFor(
      async () => {
        await app.get(CompletionService).runOnce();
        return (await rows(`SELECT 1 FROM $schema.delivery_jobs WHERE status = 'ASSIGNED'`)).length === 0;
      },
      { intervalMs: 50, what: 'every assigned delivery completed' },
    );
  };

  beforeAll(async () => {
    app = await createDeliveryApp(
      loadDeliveryConfig(
        serviceTestEnv(scope, {
          INSTANCE_ID: 'delivery-int',
          COURIER_COUNT: '3',
          ASSIGN_OFFER_MS: '0',
          // Long: a test finishes deliveries itself (deliverAll), never the clock.
          DELIVERY_TIME_MS: '600000',
          DISPATCH_ENABLED: 'false',
          LOCK_TTL_MS: '400',
        }),
      ),
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    db = await connectPostgres();
    producer = kafka.producer();
    await producer.connect();
    dispatcher = app.get(DispatcherService);
    repository = app.get(AssignmentsRepository);
    locks = app.get(LockService);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
    await db?.end();
    await schema.drop();
  });

  // Each test starts with every courier free and no job waiting.
  afterEach(async () => {
    for (let round = 0; round < 10; round++) {
      await deliverAll();
      const [{ n }] = await rows<{ n: string }>(
        `SELECT count(*)::text AS n FROM $schema.delivery_jobs WHERE status NOT IN ('DELIVERED', 'CANCELLED')`,
      );
      if (n === '0') return;
      await dispatcher.runOnce();
    }
    throw new Error('jobs left undelivered after the test');
  });

  it('seeds the couriers, all free', async () => {
    expect(await courierStates()).toEqual({
      'courier-01': 'FREE',
      'courier-02': 'FREE',
      'courier-03': 'FREE',
    });
  });

  it('turns order.confirmed into one waiting job however often it arrives', async () => {
    const event = confirmed();
    const again = { ...confirmed(event.data.orderId), data: event.data }; // another event, same order
    await publish(event, event, again);
    const job = await jobFor(event.data.orderId);
    expect(job.status).toBe('WAITING');
    await waitFor(async () => (await metric('delivery_jobs_created_total')) >= 1, {
      what: 'the job counted',
    });
    expect(
      await rows(`SELECT id FROM $schema.delivery_jobs WHERE order_id = $1`, [event.data.orderId]),
    ).toHaveLength(1);
    // Both event ids went through the inbox (the duplicate delivery of `event` did not): one job.
    const seen = await waitFor(
      async () => {
        const found = await rows(`SELECT event_id FROM $schema.processed_messages WHERE event_id = ANY($1)`, [
          [event.id, again.id],
        ]);
        return found.length === 2 ? found : undefined;
      },
      { timeoutMs: 20_000, what: 'both events consumed' },
    );
    expect(seen).toHaveLength(2);
    expect(
      await rows(`SELECT id FROM $schema.delivery_jobs WHERE order_id = $1`, [event.data.orderId]),
    ).toHaveLength(1);
  });

  it('assigns under the locks, skipping a courier another dispatcher holds, and tells the outbox', async () => {
    const event = confirmed();
    await publish(event);
    await jobFor(event.data.orderId);
    // "Another dispatcher" is offering courier-01 and courier-02 a job right now.
    const held = [
      await locks.acquire(courierLock('courier-01'), 5_000),
      await locks.acquire(courierLock('courier-02'), 5_000),
    ];
    const busyBefore = await metric('delivery_lock_contention_total', 'resource="courier"');
    const round = await dispatcher.runOnce().finally(() => Promise.all(held.map((lock) => lock.release())));
    expect(round.assigned).toBe(1);
    // Couriers are tried in a random order: the held ones it met first were skipped, not waited for.
    const busy = round.attempts.courier_busy ?? 0;
    expect(busy).toBeLessThanOrEqual(2);
    const [assignment] = await rows<{ courier_id: string; assigned_by: string }>(
      `SELECT courier_id, assigned_by FROM $schema.assignments WHERE order_id = $1`,
      [event.data.orderId],
    );
    expect(assignment).toEqual({ courier_id: 'courier-03', assigned_by: 'delivery-int' });
    expect(await courierStates()).toMatchObject({
      'courier-01': 'FREE',
      'courier-02': 'FREE',
      'courier-03': 'BUSY',
    });
    expect(await outbox('delivery.assigned', event.data.orderId)).toHaveLength(1);
    expect(await metric('delivery_lock_contention_total', 'resource="courier"')).toBe(busyBefore + busy);
  });

  it('waits for a dead holder’s lock to expire, then takes the courier', async () => {
    const event = confirmed();
    await publish(event);
    const job = await jobFor(event.data.orderId);
    // A dispatcher that crashed while holding every courier: acquire() is never extended nor released.
    await Promise.all(
      ['courier-01', 'courier-02', 'courier-03'].map((c) => locks.acquire(courierLock(c), 400)),
    );
    const blocked = await dispatcher.runOnce();
    expect(blocked).toEqual({ assigned: 0, attempts: { courier_busy: 3 } });
    expect((await jobFor(event.data.orderId)).status).toBe('WAITING');
    const after = await waitFor(
      async () => {
        const round = await dispatcher.runOnce();
        return round.assigned === 1 ? round : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 100, what: 'the orphaned locks to expire' },
    );
    expect(after.assigned).toBe(1);
    expect(
      (await rows<{ status: string }>(`SELECT status FROM $schema.delivery_jobs WHERE id = $1`, [job.id]))[0]
        .status,
    ).toBe('ASSIGNED');
  });

  it('refuses, in Postgres, a stale fence, a busy courier and a taken job, writing nothing', async () => {
    const [a, b, c] = [confirmed(), confirmed(), confirmed()];
    await publish(a, b, c);
    const jobA = await jobFor(a.data.orderId);
    const jobB = await jobFor(b.data.orderId);
    const jobC = await jobFor(c.data.orderId);
    const request = (job: { id: string }, event: typeof a, courierId: string, fence: string) => ({
      jobId: job.id,
      orderId: event.data.orderId,
      userId: event.data.userId,
      courierId,
      fence,
      assignedBy: 'test',
    });
    // A dispatcher whose lock expired took its token first; a newer holder's token came later.
    const stale = await repository.nextFence();
    const fresh = await repository.nextFence();
    expect(await repository.assign(request(jobA, a, 'courier-01', fresh))).toMatchObject({ assigned: true });
    // courier-01 is busy with A: no second order for it, whatever the token.
    const newer = await repository.nextFence();
    expect(await repository.assign(request(jobB, b, 'courier-01', newer))).toEqual({
      assigned: false,
      guard: 'courier_not_free',
    });
    // A is taken: no second courier for it.
    expect(await repository.assign(request(jobA, a, 'courier-02', await repository.nextFence()))).toEqual({
      assigned: false,
      guard: 'job_not_waiting',
    });
    await deliverAll(); // courier-01 is free again, its fence is `fresh`
    // The paused dispatcher wakes up with its old token: refused although the courier is free.
    expect(await repository.assign(request(jobC, c, 'courier-01', stale))).toEqual({
      assigned: false,
      guard: 'fence',
    });
    expect(await courierStates()).toMatchObject({ 'courier-01': 'FREE', 'courier-02': 'FREE' });
    expect(
      await rows(`SELECT id FROM $schema.assignments WHERE order_id = ANY($1)`, [
        [b.data.orderId, c.data.orderId],
      ]),
    ).toEqual([]);
    expect(await outbox('delivery.assigned', a.data.orderId)).toHaveLength(1);
    expect(await outbox('delivery.assigned', b.data.orderId)).toHaveLength(0);
    expect(await outbox('delivery.assigned', c.data.orderId)).toHaveLength(0);
    expect(await outbox('delivery.delivered', a.data.orderId)).toHaveLength(1);
  });

  it('shows the delivery to its owner only, and the courier board to admins only', async () => {
    const event = confirmed(randomUUID(), 'owner-1');
    await publish(event);
    await jobFor(event.data.orderId);
    const url = `/deliveries/${event.data.orderId}`;
    const mine = await get(url, asUser('owner-1'));
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ orderId: event.data.orderId, status: 'WAITING', courier: null });
    expect((await get(url, asUser('someone-else'))).statusCode).toBe(404);
    expect((await get(url, asUser('admin-1', 'admin'))).statusCode).toBe(200);
    expect((await get(url)).statusCode).toBe(401);
    const bad = await get('/deliveries/not-a-uuid', asUser('owner-1'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ message: expect.stringMatching(/id must be an order id/) });
    expect((await get(`/deliveries/${randomUUID()}`, asUser('owner-1'))).statusCode).toBe(404);

    await dispatcher.runOnce();
    const assigned = (await get(url, asUser('owner-1'))).json<{ status: string; courier: { id: string } }>();
    expect(assigned.status).toBe('ASSIGNED');
    const board = await get('/admin/couriers', asUser('admin-1', 'admin'));
    expect(board.statusCode).toBe(200);
    expect(board.json()).toMatchObject({ busy: 1, free: 2, waitingJobs: 0 });
    expect((await get('/admin/couriers', asUser('owner-1'))).statusCode).toBe(403);
    await deliverAll();
    expect((await get(url, asUser('owner-1'))).json()).toMatchObject({
      status: 'DELIVERED',
      courier: { id: assigned.courier.id },
    });
  });

  describe('order.cancelled', () => {
    it('cancels a waiting job: no courier is ever assigned to it, and a redelivery changes nothing', async () => {
      const event = confirmed();
      await publish(event);
      await jobFor(event.data.orderId);
      const cancel = cancelled(event);
      const again = { ...cancelled(event), data: cancel.data }; // another event, same order
      await publishCancel(cancel, cancel, again);
      await cancelConsumed(cancel, again);
      expect(await jobRow(event.data.orderId)).toEqual({ status: 'CANCELLED', courier_id: null });
      expect(await dispatcher.runOnce()).toEqual({ assigned: 0, attempts: {} });
      expect(Object.values(await courierStates())).toEqual(['FREE', 'FREE', 'FREE']);
      expect(await outbox('delivery.cancelled', event.data.orderId)).toHaveLength(1);
      expect(await outbox('delivery.assigned', event.data.orderId)).toHaveLength(0);
      // The owner's delivery view: none any more (the storefront says the order was cancelled).
      expect((await get(`/deliveries/${event.data.orderId}`, asUser('user-1'))).statusCode).toBe(404);
    });

    it('frees an assigned courier under its lock (fenced), never double-books it, and is idempotent', async () => {
      const event = confirmed();
      await publish(event);
      await jobFor(event.data.orderId);
      expect((await dispatcher.runOnce()).assigned).toBe(1);
      const { courier_id: courier } = await jobRow(event.data.orderId);
      const [{ fence: fenceBefore }] = await rows<{ fence: string }>(
        `SELECT fence::text AS fence FROM $schema.couriers WHERE id = $1`,
        [courier],
      );
      // Another dispatcher holds the courier's lock: the cancellation waits for it, frees nobody meanwhile.
      const held = await locks.acquire(courierLock(courier!), 5_000);
      const cancel = cancelled(event);
      await publishCancel(cancel);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const whileHeld = await jobRow(event.data.orderId);
      await held.release();
      expect(whileHeld.status).toBe('ASSIGNED');
      await cancelConsumed(cancel);
      const [freed] = await rows<{ status: string; current_order_id: string | null; fence: string }>(
        `SELECT status, current_order_id, fence::text AS fence FROM $schema.couriers WHERE id = $1`,
        [courier],
      );
      expect(freed).toMatchObject({ status: 'FREE', current_order_id: null });
      expect(BigInt(freed.fence)).toBeGreaterThan(BigInt(fenceBefore)); // a dispatcher with an older token is refused
      expect(await jobRow(event.data.orderId)).toEqual({ status: 'CANCELLED', courier_id: courier });
      expect(
        await rows(`SELECT 1 FROM $schema.assignments WHERE order_id = $1 AND released_at IS NOT NULL`, [
          event.data.orderId,
        ]),
      ).toHaveLength(1);
      const [notice] = await rows<{ envelope: { data: { courierId: string } } }>(
        `SELECT envelope FROM $schema.outbox WHERE topic = 'delivery.cancelled' AND key = $1`,
        [event.data.orderId],
      );
      expect(notice.envelope.data).toMatchObject({ courierId: courier });

      // Three new orders, three couriers: the freed courier takes one, nobody takes two.
      const next = [confirmed(), confirmed(), confirmed()];
      await publish(...next);
      for (const e of next) await jobFor(e.data.orderId);
      expect((await dispatcher.runOnce()).assigned).toBe(3);
      expect(Object.values(await courierStates())).toEqual(['BUSY', 'BUSY', 'BUSY']);
      expect(await doubleBooked()).toEqual([]);

      // The cancellation again (at-least-once): nothing moves.
      const redelivered = { ...cancelled(event), data: cancel.data };
      await publishCancel(cancel, redelivered);
      await cancelConsumed(redelivered);
      expect(Object.values(await courierStates())).toEqual(['BUSY', 'BUSY', 'BUSY']);
      expect(await outbox('delivery.cancelled', event.data.orderId)).toHaveLength(1);
      expect(await doubleBooked()).toEqual([]);
    });

    it('a cancellation that overtakes its confirmation leaves a tombstone: the late confirmation creates no job', async () => {
      const event = confirmed();
      const cancel = cancelled(event);
      await publishCancel(cancel);
      await cancelConsumed(cancel);
      expect(await jobRow(event.data.orderId)).toEqual({ status: 'CANCELLED', courier_id: null });
      await publish(event);
      await consumed('delivery.order-confirmed', event.id);
      expect(await jobRow(event.data.orderId)).toEqual({ status: 'CANCELLED', courier_id: null });
      expect(await dispatcher.runOnce()).toEqual({ assigned: 0, attempts: {} });
      // Nothing was ever waiting or assigned, so there is nothing to tell the owner.
      expect(await outbox('delivery.cancelled', event.data.orderId)).toHaveLength(0);
      expect(await outbox('delivery.assigned', event.data.orderId)).toHaveLength(0);
    });

    it('an order cancelled before it was ever confirmed (a failed payment) writes nothing', async () => {
      const event = confirmed();
      const { orderId, userId, items } = event.data;
      const cancel = OrderCancelled.create(orderId, { orderId, userId, items, reason: 'payment failed' });
      await publishCancel(cancel);
      await cancelConsumed(cancel);
      expect(await jobRow(event.data.orderId)).toBeUndefined();
      await waitFor(
        async () => (await metric('delivery_jobs_cancelled_total', 'outcome="never_confirmed"')) >= 1,
        {
          what: 'the no-op counted',
        },
      );
    });

    it('cancellations racing dispatcher rounds: every courier ends free, every assignment is followed by its cancellation', async () => {
      const events = Array.from({ length: 12 }, () => confirmed());
      await publish(...events);
      for (const e of events) await jobFor(e.data.orderId);
      const cancels = events.map(cancelled);
      // Rounds run while the cancellations arrive: some jobs are cancelled waiting, some assigned first.
      const rounds = (async () => {
        let assigned = 0;
        for (let i = 0; i < 10; i++) assigned += (await dispatcher.runOnce()).assigned;
        return assigned;
      })();
      await publishCancel(...cancels);
      const assigned = await rounds;
      await cancelConsumed(...cancels);
      const jobs = await rows<{ status: string }>(
        `SELECT status FROM $schema.delivery_jobs WHERE order_id = ANY($1)`,
        [events.map((e) => e.data.orderId)],
      );
      const perOrder = await rows<{ key: string; assigned: string; cancelled: string }>(
        `SELECT key, count(*) FILTER (WHERE topic = 'delivery.assigned')::text AS assigned,
                count(*) FILTER (WHERE topic = 'delivery.cancelled')::text AS cancelled
         FROM $schema.outbox WHERE key = ANY($1) GROUP BY key`,
        [events.map((e) => e.data.orderId)],
      );
      const figures = {
        orders: events.length,
        assignedBeforeCancel: assigned,
        cancelledJobs: jobs.filter((j) => j.status === 'CANCELLED').length,
        assignedWithoutCancellation: perOrder.filter((o) => o.assigned !== '0' && o.cancelled === '0').length,
      };
      console.log(`cancellations racing dispatch\n${JSON.stringify(figures, null, 2)}`);
      expect(figures.cancelledJobs).toBe(events.length);
      expect(figures.assignedWithoutCancellation).toBe(0);
      expect(perOrder.every((o) => Number(o.assigned) <= 1 && Number(o.cancelled) === 1)).toBe(true);
      expect(Object.values(await courierStates())).toEqual(['FREE', 'FREE', 'FREE']);
      expect(await rows(`SELECT 1 FROM $schema.assignments WHERE released_at IS NULL`)).toEqual([]);
    });
  });
});
