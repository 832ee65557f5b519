import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrderCancelled, OrderConfirmed } from '@sdp/contracts';
import { LockService } from '@sdp/locks';
import { createKafka, EventPublisher, type EventEnvelope } from '@sdp/messaging';
import {
  asUser,
  connectPostgres,
  startDisposableRedis,
  testInfraEnv,
  testSchema,
  uniqueName,
  waitFor,
  type DisposableRedis,
} from '@sdp/testing';
import type { Client } from 'pg';
import { crossedCarts, setStockOn, startInventoryReplica } from '../test/support/inventory-replica';
import { seedOnHand } from './db/seed';
import { FencedOutError } from './fencing/fencing';
import { ReservationsRepository } from './reservations/reservations.repository';
import { stockLock } from './reservations/strategies';
import { SWEEPER_LOCK } from './sweeper/sweeper.service';

// Two inventory replicas in-process on a private schema, topic prefix, consumer group and lock key
// prefix, against the real Postgres, Redis lock nodes and Kafka started by `pnpm infra:up`.
const schema = testSchema('inventory');
const topicPrefix = `${uniqueName('t')}.`;
const lockPrefix = `${uniqueName('t')}:lock:`;
const group = uniqueName('inventory');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const service = asUser('orders', 'service');
const admin = asUser('ops', 'admin');

const scope = { schema: schema.name, topicPrefix, group, lockPrefix };
const startReplica = (
  index: number,
  overrides: Record<string, string> = {},
): Promise<NestFastifyApplication> => startInventoryReplica(scope, index, overrides);

type Line = { sku: string; quantity: number };

describe('inventory (integration)', () => {
  const replicas: NestFastifyApplication[] = [];
  let db: Client;

  const reserve = (orderId: string, items: Line[], replica = 0, headers: Record<string, string> = service) =>
    replicas[replica].inject({
      method: 'POST',
      url: '/reservations',
      payload: { orderId, items },
      headers,
    });
  const setStock = (sku: string, onHand: number) => setStockOn(replicas[0], sku, onHand);
  const stockRow = async (sku: string) =>
    (await db.query(`SELECT on_hand, reserved, sold FROM "${schema.name}".stock WHERE sku = $1`, [sku]))
      .rows[0];
  const reservationsOf = async (sku: string) =>
    (
      await db.query(`SELECT order_id, quantity, status FROM "${schema.name}".reservations WHERE sku = $1`, [
        sku,
      ])
    ).rows;
  const metric = async (replica: NestFastifyApplication, pattern: RegExp): Promise<number> => {
    const body = (await replica.inject({ method: 'GET', url: '/metrics' })).body;
    const match = body.match(pattern);
    return match ? Number(match[1]) : 0;
  };

  beforeAll(async () => {
    replicas.push(await startReplica(1));
    replicas.push(await startReplica(2));
    db = await connectPostgres();
  });

  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    await db.end();
    await schema.drop();
  });

  it('migrates, seeds the catalogue SKUs and serves stock publicly', async () => {
    const res = await replicas[1].inject({ method: 'GET', url: '/stock/SKU-000007' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sku: 'SKU-000007',
      onHand: seedOnHand(7),
      reserved: 0,
      sold: 0,
      available: seedOnHand(7),
    });
    const count = await db.query(`SELECT count(*)::int AS n FROM "${schema.name}".stock`);
    expect(count.rows[0].n).toBe(1_200);
    expect((await replicas[0].inject({ method: 'GET', url: '/stock/SKU-999999' })).statusCode).toBe(404);
    const bad = await replicas[0].inject({ method: 'GET', url: '/stock/not%20a%20sku' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/sku must be a SKU/);
    const ready = await replicas[0].inject({ method: 'GET', url: '/ready' });
    expect(ready.json().checks['redis-locks'].status).toBe('up');
  });

  it('holds exactly the stock under 200 concurrent orders across two replicas, never more', async () => {
    const sku = 'SKU-000201';
    await setStock(sku, 20);
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => reserve(randomUUID(), [{ sku, quantity: 1 }], i % 2)),
    );
    const elapsed = Date.now() - started;
    const byStatus = responses.reduce<Record<number, number>>(
      (acc, r) => ({ ...acc, [r.statusCode]: (acc[r.statusCode] ?? 0) + 1 }),
      {},
    );
    const row = await stockRow(sku);
    const held = (await reservationsOf(sku)).filter((r) => r.status === 'HELD');
    const waits = await Promise.all(
      replicas.map((r) => metric(r, /lock_acquire_wait_seconds_count\{outcome="acquired"\} (\d+)/)),
    );
    console.log(
      `flash sale: 200 orders for 20 units over 2 replicas in ${elapsed} ms -> ` +
        `${JSON.stringify(byStatus)}; stock ${JSON.stringify(row)}; ${held.length} HELD rows; ` +
        `locks acquired per replica ${waits.join('/')}`,
    );
    expect(byStatus).toEqual({ 201: 20, 409: 180 });
    expect(row).toEqual({ on_hand: 20, reserved: 20, sold: 0 });
    expect(held).toHaveLength(20);
    const refused = responses.find((r) => r.statusCode === 409)!.json();
    expect(refused).toMatchObject({ statusCode: 409, error: 'Conflict', sku, available: 0 });
    expect(refused.requestId).toEqual(expect.any(String));
  });

  it('fences out a lock holder that paused past its TTL: its late write is rejected', async () => {
    const sku = 'SKU-000202';
    await setStock(sku, 10);
    const locks = replicas[0].get(LockService);
    const repository = replicas[0].get(ReservationsRepository);
    const events: string[] = [];

    // A takes the lock (short TTL, no extension) and its fencing token, then "pauses" (GC, slow net).
    const lockA = await locks.acquire(stockLock(sku), 300, { retry: false });
    const [tokenA] = await repository.nextFences(1);
    events.push(`A locked, token ${tokenA}`);
    await sleep(450);
    expect(Date.now()).toBeGreaterThan(lockA.expiresAt);

    // B, through the real endpoint on the other replica, takes the expired lock and reserves.
    const orderB = randomUUID();
    const resB = await reserve(orderB, [{ sku, quantity: 6 }], 1);
    expect(resB.statusCode).toBe(201);
    events.push('B reserved 6');

    // A resumes and writes with its old token: rejected, nothing written.
    const orderA = randomUUID();
    const lateWrite = repository.reserve({
      orderId: orderA,
      items: [{ sku, quantity: 6 }],
      guard: { kind: 'fenced', tokens: new Map([[sku, tokenA]]) },
      ttlSeconds: 60,
    });
    await expect(lateWrite).rejects.toBeInstanceOf(FencedOutError);
    events.push('A rejected');
    await lockA.release();

    const row = await stockRow(sku);
    console.log(`fencing: ${events.join(' -> ')}; stock ${JSON.stringify(row)}`);
    expect(events).toEqual([`A locked, token ${tokenA}`, 'B reserved 6', 'A rejected']);
    expect(row).toEqual({ on_hand: 10, reserved: 6, sold: 0 }); // 12 would have been an oversell
    expect((await reservationsOf(sku)).map((r) => r.order_id)).toEqual([orderB]);
    // Control: the same write with a fresh token passes the fence and is refused only for stock.
    const [fresh] = await repository.nextFences(1);
    await expect(
      repository.reserve({
        orderId: orderA,
        items: [{ sku, quantity: 6 }],
        guard: { kind: 'fenced', tokens: new Map([[sku, fresh]]) },
        ttlSeconds: 60,
      }),
    ).rejects.toMatchObject({ name: 'OutOfStockError', available: 4 });
  });

  it('completes overlapping multi-SKU carts taken in opposite orders without deadlock', async () => {
    const [a, b] = ['SKU-000301', 'SKU-000302'];
    await setStock(a, 1_000);
    await setStock(b, 1_000);
    const started = Date.now();
    const responses = await Promise.all(
      crossedCarts(a, b, 40).map((cart) => reserve(randomUUID(), cart.items, cart.replica)),
    );
    const elapsed = Date.now() - started;
    console.log(`opposite-order carts: 40 x [A,B]/[B,A] over 2 replicas finished in ${elapsed} ms`);
    expect(responses.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
    expect(elapsed).toBeLessThan(20_000);
    expect(await stockRow(a)).toMatchObject({ reserved: 40 });
    expect(await stockRow(b)).toMatchObject({ reserved: 40 });
  });

  it('is idempotent on orderId: the same request twice moves stock once and answers the same', async () => {
    const sku = 'SKU-000401';
    await setStock(sku, 50);
    const orderId = randomUUID();
    const first = await reserve(orderId, [{ sku, quantity: 3 }], 0);
    const second = await reserve(orderId, [{ sku, quantity: 3 }], 1);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(first.json()).toMatchObject({ orderId, status: 'HELD', items: [{ sku, quantity: 3 }] });
    expect(await stockRow(sku)).toMatchObject({ reserved: 3 });
    const different = await reserve(orderId, [{ sku, quantity: 4 }], 0);
    expect(different.statusCode).toBe(422);
    expect(await stockRow(sku)).toMatchObject({ reserved: 3 });
  });

  describe('bad input', () => {
    const sku = 'SKU-000501';
    const line = (quantity: unknown) => ({ orderId: randomUUID(), items: [{ sku, quantity }] });
    const snapshot = async () => ({
      stock: await stockRow(sku),
      reservations: (await db.query(`SELECT count(*)::int AS n FROM "${schema.name}".reservations`)).rows[0]
        .n,
    });

    it.each([
      ['quantity 0', line(0), 400, /items\.0\.quantity/],
      ['a negative quantity', line(-1), 400, /items\.0\.quantity/],
      ['a quantity over 100', line(101), 400, /items\.0\.quantity/],
      ['a fractional quantity', line(2.5), 400, /items\.0\.quantity/],
      ['an unknown field', { ...line(1), coupon: 'FREE' }, 400, /coupon/],
      [
        'a bad SKU',
        { orderId: randomUUID(), items: [{ sku: 'bad sku', quantity: 1 }] },
        400,
        /must be a SKU/,
      ],
      [
        'a repeated SKU',
        {
          orderId: randomUUID(),
          items: [
            { sku, quantity: 1 },
            { sku, quantity: 1 },
          ],
        },
        400,
        /repeated: SKU-000501/,
      ],
      [
        'an unknown SKU',
        {
          orderId: randomUUID(),
          items: [
            { sku, quantity: 1 },
            { sku: 'SKU-777777', quantity: 1 },
          ],
        },
        422,
        /unknown SKU: SKU-777777/,
      ],
    ])('rejects %s (%#) and writes nothing', async (_case, body, status, message) => {
      const before = await snapshot();
      const res = await replicas[0].inject({
        method: 'POST',
        url: '/reservations',
        payload: body,
        headers: service,
      });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ statusCode: status, message: expect.stringMatching(message) });
      expect(await snapshot()).toEqual(before);
    });

    it('answers 401 without a gateway identity and 403 for a customer', async () => {
      const before = await snapshot();
      const anonymous = await replicas[0].inject({ method: 'POST', url: '/reservations', payload: line(1) });
      expect(anonymous.statusCode).toBe(401);
      const customer = await reserve(randomUUID(), [{ sku, quantity: 1 }], 0, asUser('u1', 'customer'));
      expect(customer.statusCode).toBe(403);
      expect(customer.json().message).toMatch(/requires role service/);
      const stockByCustomer = await replicas[0].inject({
        method: 'PUT',
        url: `/stock/${sku}`,
        payload: { onHand: 1 },
        headers: asUser('u1', 'customer'),
      });
      expect(stockByCustomer.statusCode).toBe(403);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses to set on-hand below what is held, or to a negative number', async () => {
      await setStock(sku, 10);
      expect((await reserve(randomUUID(), [{ sku, quantity: 4 }])).statusCode).toBe(201);
      const put = (onHand: unknown) =>
        replicas[0].inject({ method: 'PUT', url: `/stock/${sku}`, payload: { onHand }, headers: admin });
      const below = await put(3);
      expect(below.statusCode).toBe(409);
      expect(below.json().message).toMatch(/below the 4 units held/);
      expect((await put(-1)).statusCode).toBe(400);
      expect((await put(1.5)).statusCode).toBe(400);
      expect(await stockRow(sku)).toEqual({ on_hand: 10, reserved: 4, sold: 0 });
    });
  });

  describe('order events', () => {
    let publisher: EventPublisher;
    const kafka = createKafka({
      clientId: 'inventory-int-test',
      brokers: testInfraEnv().KAFKA_BROKERS.split(','),
    });

    beforeAll(async () => {
      publisher = new EventPublisher(kafka);
      await publisher.connect();
    });

    afterAll(async () => {
      await publisher.disconnect();
    });

    it('commits on order.confirmed and releases on order.cancelled, once, even when delivered twice', async () => {
      const sku = 'SKU-000601';
      await setStock(sku, 30);
      const paid = randomUUID();
      const abandoned = randomUUID();
      expect((await reserve(paid, [{ sku, quantity: 5 }])).statusCode).toBe(201);
      expect((await reserve(abandoned, [{ sku, quantity: 7 }])).statusCode).toBe(201);
      expect(await stockRow(sku)).toEqual({ on_hand: 30, reserved: 12, sold: 0 });

      const items = (quantity: number) => [{ sku, quantity, priceCents: 1_000 }];
      const confirmed = OrderConfirmed.create(paid, {
        orderId: paid,
        userId: 'u1',
        items: items(5),
        totalCents: 5_000,
      });
      const cancelled = OrderCancelled.create(abandoned, {
        orderId: abandoned,
        userId: 'u2',
        items: items(7),
        reason: 'payment failed',
      });
      // Re-emitted events (new ids, same orders) must not move stock again either. Same key, same
      // partition, published last: once they are processed, both duplicates before them were too.
      const reconfirmed = OrderConfirmed.create(paid, {
        orderId: paid,
        userId: 'u1',
        items: items(5),
        totalCents: 5_000,
      });
      const recancelled = OrderCancelled.create(abandoned, {
        orderId: abandoned,
        userId: 'u2',
        items: items(7),
        reason: 'payment failed',
      });
      const send = (envelope: EventEnvelope) => publisher.publish(`${topicPrefix}${envelope.type}`, envelope);
      for (const envelope of [confirmed, confirmed, cancelled, cancelled, reconfirmed, recancelled]) {
        await send(envelope);
      }

      await waitFor(async () => (await stockRow(sku)).sold === 5 && (await stockRow(sku)).reserved === 0, {
        timeoutMs: 30_000,
        what: 'the hold to be committed and the other released',
      });
      await waitFor(
        async () =>
          (
            await db.query(
              `SELECT 1 FROM "${schema.name}".processed_messages WHERE event_id = ANY($1::uuid[])`,
              [[reconfirmed.id, recancelled.id]],
            )
          ).rowCount === 2,
        { timeoutMs: 30_000, what: 'the re-emitted events (published after the duplicates) to be processed' },
      );
      const inbox = await db.query(
        `SELECT count(*)::int AS n FROM "${schema.name}".processed_messages WHERE event_id = ANY($1::uuid[])`,
        [[confirmed.id, cancelled.id, reconfirmed.id, recancelled.id]],
      );
      expect(inbox.rows[0].n).toBe(4); // one inbox row per distinct event, none per duplicate delivery
      expect(await stockRow(sku)).toEqual({ on_hand: 25, reserved: 0, sold: 5 });
      const statuses = Object.fromEntries((await reservationsOf(sku)).map((r) => [r.order_id, r.status]));
      expect(statuses).toEqual({ [paid]: 'COMMITTED', [abandoned]: 'RELEASED' });
      const outbox = await db.query(
        `SELECT count(*)::int AS n FROM "${schema.name}".outbox WHERE key = $1 AND topic = 'stock.changed'`,
        [sku],
      );
      expect(outbox.rows[0].n).toBe(1 + 2 + 2); // set-up, two holds, one commit, one release
    });

    it('sells a confirmation that arrives after its hold expired from available stock, or sells nothing when short', async () => {
      const sku = 'SKU-000603';
      await setStock(sku, 10);
      const [lateSold, lateShort, other] = [randomUUID(), randomUUID(), randomUUID()];
      expect((await reserve(lateSold, [{ sku, quantity: 3 }])).statusCode).toBe(201);
      expect((await reserve(lateShort, [{ sku, quantity: 4 }])).statusCode).toBe(201);
      await db.query(
        `UPDATE "${schema.name}".reservations SET expires_at = now() - interval '1 second' WHERE order_id = ANY($1::uuid[])`,
        [[lateSold, lateShort]],
      );
      const sweep = await replicas[0].inject({ method: 'POST', url: '/admin/sweeper/run', headers: admin });
      expect(sweep.json()).toMatchObject({ ran: true, released: 2 });
      // Someone else holds 5 of the 10 meanwhile: 5 available, enough for 3 but then not for 4.
      expect((await reserve(other, [{ sku, quantity: 5 }])).statusCode).toBe(201);

      const confirm = (orderId: string, quantity: number) =>
        OrderConfirmed.create(orderId, {
          orderId,
          userId: 'u4',
          items: [{ sku, quantity, priceCents: 100 }],
          totalCents: 100 * quantity,
        });
      const events = [confirm(lateSold, 3), confirm(lateShort, 4)];
      // One after the other: two order ids may sit on different partitions, consumed in any order.
      for (const event of events) {
        await publisher.publish(`${topicPrefix}${event.type}`, event);
        await waitFor(
          async () =>
            (
              await db.query(`SELECT 1 FROM "${schema.name}".processed_messages WHERE event_id = $1`, [
                event.id,
              ])
            ).rowCount === 1,
          { timeoutMs: 30_000, what: `the late confirmation of ${event.key} to be processed` },
        );
      }

      expect(await stockRow(sku)).toEqual({ on_hand: 7, reserved: 5, sold: 3 });
      const statuses = Object.fromEntries((await reservationsOf(sku)).map((r) => [r.order_id, r.status]));
      expect(statuses).toEqual({ [lateSold]: 'COMMITTED', [lateShort]: 'RELEASED', [other]: 'HELD' });
      const late = async (outcome: string) =>
        (
          await Promise.all(
            replicas.map((r) =>
              metric(r, new RegExp(`inventory_late_confirmations_total\\{outcome="${outcome}"\\} (\\d+)`)),
            ),
          )
        ).reduce((a, b) => a + b, 0);
      expect([await late('sold'), await late('short')]).toEqual([1, 1]);
      // The short one asks orders to cancel it (then payments refunds it), from the same transaction;
      // the one sold asks nothing.
      const unfulfillable = await db.query(
        `SELECT key, envelope FROM "${schema.name}".outbox WHERE topic = 'order.unfulfillable' AND key = ANY($1::text[])`,
        [[lateSold, lateShort]],
      );
      expect(unfulfillable.rows).toHaveLength(1);
      expect(unfulfillable.rows[0].key).toBe(lateShort);
      expect(unfulfillable.rows[0].envelope).toMatchObject({
        type: 'order.unfulfillable',
        data: {
          orderId: lateShort,
          sku,
          requested: 4,
          available: 2, // 10 on hand - 3 sold late - 5 held by the other order
          reason: expect.stringMatching(/hold expired.*sold out/),
        },
      });
      // One transaction with the inbox claim: both rows carry its start time, now(). (Not xmin: the
      // relay's UPDATE of published_at gives the outbox row a new one.)
      const sameTransaction = await db.query(
        `SELECT (SELECT created_at FROM "${schema.name}".outbox WHERE topic = 'order.unfulfillable' AND key = $1) =
                (SELECT processed_at FROM "${schema.name}".processed_messages WHERE event_id = $2) AS same`,
        [lateShort, events[1].id],
      );
      expect(sameTransaction.rows[0].same).toBe(true);
    });

    it('treats order.cancelled for an order that never reserved as a no-op', async () => {
      const ghost = randomUUID();
      const sku = 'SKU-000602';
      const before = await stockRow(sku);
      const event = OrderCancelled.create(ghost, {
        orderId: ghost,
        userId: 'u3',
        items: [{ sku, quantity: 1, priceCents: 100 }],
        reason: 'reservation failed',
      });
      await publisher.publish(`${topicPrefix}order.cancelled`, event);
      await waitFor(
        async () =>
          (
            await db.query(`SELECT 1 FROM "${schema.name}".processed_messages WHERE event_id = $1`, [
              event.id,
            ])
          ).rowCount === 1,
        { timeoutMs: 30_000, what: 'the ghost cancellation to be processed' },
      );
      expect(await stockRow(sku)).toEqual(before);
    });
  });

  it('sweeps expired holds in exactly one replica, and only where it wins the cron lock', async () => {
    const sku = 'SKU-000701';
    await setStock(sku, 100);
    const orders = Array.from({ length: 6 }, () => randomUUID());
    for (const orderId of orders)
      expect((await reserve(orderId, [{ sku, quantity: 2 }])).statusCode).toBe(201);
    await db.query(
      `UPDATE "${schema.name}".reservations SET expires_at = now() - interval '1 second' WHERE order_id = ANY($1::uuid[])`,
      [orders],
    );
    const runSweep = (replica: number) =>
      replicas[replica].inject({ method: 'POST', url: '/admin/sweeper/run', headers: admin });

    // While someone else holds the cron lock, every replica skips and nothing is released.
    const cronHolder = await replicas[0].get(LockService).acquire(SWEEPER_LOCK, 5_000);
    const skipped = await Promise.all([runSweep(0), runSweep(1)]);
    expect(skipped.map((r) => r.json())).toEqual([
      { ran: false, instanceId: 'inventory-int-1', released: 0, reason: 'busy' },
      { ran: false, instanceId: 'inventory-int-2', released: 0, reason: 'busy' },
    ]);
    expect(await stockRow(sku)).toMatchObject({ reserved: 12 });
    await cronHolder.release();

    // Metrics are per process and other tests sweep too: compare with the count before this run.
    const releasedBefore = await Promise.all(
      replicas.map((r) => metric(r, /inventory_holds_released_total\{reason="expired"\} (\d+)/)),
    );
    const results = (await Promise.all([runSweep(0), runSweep(1)])).map((r) => r.json());
    const runs = await Promise.all(
      replicas.map(async (r) => ({
        ran: await metric(r, /inventory_sweeper_runs_total\{outcome="ran"\} (\d+)/),
        skipped: await metric(r, /inventory_sweeper_runs_total\{outcome="skipped"\} (\d+)/),
        released: await metric(r, /inventory_holds_released_total\{reason="expired"\} (\d+)/),
      })),
    );
    console.log(`sweeper: ${JSON.stringify(results)}; metrics per replica ${JSON.stringify(runs)}`);
    const releasing = results.filter((r) => r.released > 0);
    expect(releasing).toHaveLength(1);
    expect(releasing[0]).toMatchObject({ ran: true, released: 6 });
    expect(runs.reduce((sum, r, i) => sum + r.released - releasedBefore[i], 0)).toBe(6);
    expect(await stockRow(sku)).toEqual({ on_hand: 100, reserved: 0, sold: 0 });
    expect(new Set((await reservationsOf(sku)).map((r) => r.status))).toEqual(new Set(['RELEASED']));
  });

  describe('with disposable lock nodes', () => {
    let nodes: DisposableRedis[];
    let app: NestFastifyApplication;

    beforeAll(async () => {
      nodes = await Promise.all([startDisposableRedis(), startDisposableRedis(), startDisposableRedis()]);
      app = await startReplica(3, {
        REDIS_LOCK_URLS: nodes.map((n) => n.url).join(','),
        KAFKA_CONSUMER_GROUP: uniqueName('inventory-nodes'),
      });
    });

    afterAll(async () => {
      await app.close();
      await Promise.all(nodes.map((n) => n.kill()));
    });

    it('reserves with one of three lock nodes down, answers 503 and writes nothing with two down', async () => {
      const sku = 'SKU-000801';
      await setStock(sku, 10);
      const post = (orderId: string) =>
        app.inject({
          method: 'POST',
          url: '/reservations',
          payload: { orderId, items: [{ sku, quantity: 1 }] },
          headers: service,
        });

      await nodes[0].kill();
      const oneDown = await post(randomUUID());
      expect(oneDown.statusCode).toBe(201);

      await nodes[1].kill();
      const before = { stock: await stockRow(sku), reservations: await reservationsOf(sku) };
      const started = Date.now();
      const twoDown = await post(randomUUID());
      const elapsed = Date.now() - started;
      console.log(
        `lock nodes: one down -> ${oneDown.statusCode}; two down -> ${twoDown.statusCode} in ${elapsed} ms`,
      );
      expect(twoDown.statusCode).toBe(503);
      expect(twoDown.json()).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/no quorum of lock nodes/),
      });
      expect({ stock: await stockRow(sku), reservations: await reservationsOf(sku) }).toEqual(before);
      expect(await metric(app, /inventory_reservations_total\{outcome="lock_unavailable"\} (\d+)/)).toBe(1);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks['redis-locks'].status).toBe('down');
    });
  });
});
