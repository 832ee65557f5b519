import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  OrderUnfulfillable,
  PaymentFailed,
  PaymentSucceeded,
  reservationRequest,
  type ReservationRequest,
} from '@sdp/contracts';
import { verifyIdentity } from '@sdp/identity';
import { createKafka, EventPublisher, type EventEnvelope } from '@sdp/messaging';
import {
  asUser,
  connectPostgres,
  freePort,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  testSchema,
  uniqueName,
  waitFor,
} from '@sdp/testing';
import { Redis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import type { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import { createOrdersApp } from './app';
import { loadOrdersConfig } from './config';

// Two orders replicas in-process against the real Postgres, Redis and Kafka, on a private schema,
// cart key prefix, topic prefix and consumer group. Inventory and catalog are small fake HTTP
// servers below that follow their contracts and record every call.

const UPSTREAM_TIMEOUT_MS = 600;
const CART_TTL_SECONDS = 3_600;

// ---------- fake inventory: POST /reservations (libs/contracts/src/inventory-api.ts) ----------

interface ReservationCall {
  request: ReservationRequest;
  headers: IncomingHttpHeaders;
}

function startFakeInventory(initialStock: Record<string, number>) {
  const stock = new Map(Object.entries(initialStock));
  const held = new Map<string, object>();
  const state = {
    mode: 'up' as 'up' | 'down' | 'slow',
    calls: [] as ReservationCall[],
    /** Answer as inventory does for an order id whose hold an earlier attempt took and that was since settled. */
    replayStatus: undefined as 'RELEASED' | 'COMMITTED' | undefined,
  };
  const server = createServer((req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const requestId = String(req.headers['x-request-id'] ?? 'none');
    const refuse = (statusCode: number, error: string, message: string) =>
      send(statusCode, { statusCode, error, message, requestId });
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/reservations') return refuse(404, 'Not Found', 'no route');
      const identity = verifyIdentity(req.headers, TEST_INTERNAL_AUTH_SECRET);
      if (!identity.ok) return refuse(401, 'Unauthorized', identity.reason);
      if (identity.identity.role !== 'service') return refuse(403, 'Forbidden', 'requires role service');
      const parsed = reservationRequest.safeParse(JSON.parse(raw || 'null'));
      if (!parsed.success) return refuse(400, 'Bad Request', parsed.error.message);
      const request = parsed.data;
      state.calls.push({ request, headers: req.headers });
      if (state.mode === 'down') return refuse(503, 'Service Unavailable', 'lock service unavailable');
      if (state.mode === 'slow') {
        setTimeout(() => send(201, {}), UPSTREAM_TIMEOUT_MS * 3);
        return;
      }
      if (state.replayStatus) {
        const expiresAt = new Date(Date.now() - 60_000).toISOString();
        return send(200, {
          orderId: request.orderId,
          status: state.replayStatus,
          expiresAt,
          items: request.items,
        });
      }
      const existing = held.get(request.orderId);
      if (existing) return send(201, existing); // idempotent on orderId
      const unknown = request.items.find((i) => !stock.has(i.sku));
      if (unknown) return refuse(422, 'Unprocessable Entity', `unknown SKU ${unknown.sku}`);
      for (const item of request.items) {
        const available = stock.get(item.sku)!;
        if (available < item.quantity) {
          return send(409, {
            statusCode: 409,
            error: 'Conflict',
            message: `only ${available} of ${item.sku} available`,
            sku: item.sku,
            available,
            requestId,
          });
        }
      }
      for (const item of request.items) stock.set(item.sku, stock.get(item.sku)! - item.quantity);
      const reservation = {
        orderId: request.orderId,
        status: 'HELD',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
        items: request.items,
      };
      held.set(request.orderId, reservation);
      send(201, reservation);
    });
  });
  return { server, state, stock };
}

// ---------- fake catalog: GET /products?skus=...&limit=... ----------

function startFakeCatalog(prices: Record<string, number>) {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://catalog');
    calls.push(req.url ?? '');
    const skus = (url.searchParams.get('skus') ?? '').split(',').filter(Boolean);
    const items = skus.filter((sku) => sku in prices).map((sku) => ({ sku, priceCents: prices[sku] }));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ items, page: 1, limit: Number(url.searchParams.get('limit')), total: items.length }),
      );
  });
  return { server, calls };
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

// ---------- the suite ----------

const schema = testSchema('orders');
const topicPrefix = `${uniqueName('t')}.`;
const cartPrefix = uniqueName('cart_int');
const PRICES = {
  'SKU-000001': 1_999,
  'SKU-000002': 500,
  'SKU-000003': 12_345,
  'SKU-LOW': 700,
  'SKU-NOINV': 100,
};
const inventory = startFakeInventory({
  'SKU-000001': 10_000,
  'SKU-000002': 10_000,
  'SKU-000003': 10_000,
  'SKU-LOW': 1,
});
const catalog = startFakeCatalog(PRICES);

describe('orders (integration)', () => {
  const replicas: NestFastifyApplication[] = [];
  const redis = new Redis(testInfraEnv().REDIS_CACHE_URL);
  const kafka = createKafka({
    clientId: 'orders-int-test',
    brokers: testInfraEnv().KAFKA_BROKERS.split(','),
  });
  const publisher = new EventPublisher(kafka);
  const received: { topic: string; key: string; envelope: EventEnvelope }[] = [];
  let consumer: Consumer;
  let db: Client;

  type Payload = string | object | undefined;
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    options: {
      user?: string;
      role?: 'customer' | 'admin' | 'service';
      payload?: Payload;
      headers?: Record<string, string>;
      replica?: number;
    } = {},
  ) =>
    replicas[options.replica ?? 0].inject({
      method,
      url,
      headers: {
        ...(options.user ? asUser(options.user, options.role) : {}),
        ...(options.payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      payload:
        options.payload === undefined || typeof options.payload === 'string'
          ? options.payload
          : JSON.stringify(options.payload),
    });
  const checkout = (
    user: string,
    key: string | undefined,
    payload?: Payload,
    replica = 0,
    requestId?: string,
  ) =>
    call('POST', '/checkout', {
      user,
      payload,
      replica,
      headers: {
        ...(key ? { 'idempotency-key': key } : {}),
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
    });
  const count = async (table: string, where = 'true', params: unknown[] = []): Promise<number> =>
    (await db.query(`SELECT count(*)::int AS n FROM "${schema.name}".${table} WHERE ${where}`, params))
      .rows[0].n;
  const orderStatus = async (id: string): Promise<string | undefined> =>
    (await db.query(`SELECT status FROM "${schema.name}".orders WHERE id = $1`, [id])).rows[0]?.status;
  const metricSum = async (pattern: RegExp): Promise<number> => {
    let sum = 0;
    for (const app of replicas) {
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      for (const line of text.split('\n')) if (pattern.test(line)) sum += Number(line.split(' ').pop());
    }
    return sum;
  };

  async function startReplica(index: number, catalogUrls: string, inventoryUrls: string) {
    const config = loadOrdersConfig({
      ...testInfraEnv(),
      DB_SCHEMA: schema.name,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      CONSUMER_GROUP: `${topicPrefix}orders`,
      CART_KEY_PREFIX: cartPrefix,
      CART_TTL_SECONDS: String(CART_TTL_SECONDS),
      CATALOG_URLS: catalogUrls,
      INVENTORY_URLS: inventoryUrls,
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
      INSTANCE_ID: `orders-int-${index}`,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '4',
    });
    const app = await createOrdersApp(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  beforeAll(async () => {
    const [catalogUrl, inventoryUrl] = await Promise.all([listen(catalog.server), listen(inventory.server)]);
    // Replica 1 is also given a dead replica URL first: its client must fail over to the live one.
    const dead = `http://127.0.0.1:${await freePort()}`;
    replicas.push(await startReplica(1, `${dead},${catalogUrl}`, `${dead},${inventoryUrl}`));
    replicas.push(await startReplica(2, catalogUrl, inventoryUrl));
    db = await connectPostgres();
    await publisher.connect();
    consumer = kafka.consumer({ groupId: uniqueName('orders-int-probe') });
    await consumer.connect();
    await consumer.subscribe({
      topics: ['order.placed', 'order.confirmed', 'order.cancelled'].map((t) => topicPrefix + t),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) =>
        void received.push({
          topic: topic.slice(topicPrefix.length),
          key: message.key!.toString(),
          envelope: JSON.parse(message.value!.toString()),
        }),
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await publisher.disconnect();
    await Promise.all(replicas.map((app) => app.close()));
    await db?.end();
    redis.disconnect();
    inventory.server.close();
    catalog.server.close();
    await schema.drop();
  });

  beforeEach(() => {
    inventory.state.mode = 'up';
  });

  describe('identity', () => {
    it.each([
      ['GET', '/cart'],
      ['POST', '/checkout'],
      ['GET', '/orders'],
      ['GET', `/orders/${randomUUID()}`],
    ] as const)('answers 401 to %s %s without a gateway identity', async (method, url) => {
      const res = await call(method, url);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ statusCode: 401, message: 'missing gateway identity' });
    });

    it('answers 403 to a service identity on customer routes', async () => {
      expect((await call('GET', '/cart', { user: 'inventory', role: 'service' })).statusCode).toBe(403);
    });
  });

  describe('cart', () => {
    it('adds, accumulates, sets, removes and clears lines, keeping each user apart', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      expect((await call('GET', '/cart', { user: alice })).json()).toEqual({ items: [] });
      await call('POST', '/cart/items', { user: alice, payload: { sku: 'SKU-000002', quantity: 2 } });
      const added = await call('POST', '/cart/items', {
        user: alice,
        payload: { sku: 'SKU-000002', quantity: 3 },
        replica: 1,
      });
      expect(added.statusCode).toBe(200);
      expect(added.json()).toEqual({ items: [{ sku: 'SKU-000002', quantity: 5 }] });
      await call('POST', '/cart/items', { user: alice, payload: { sku: 'SKU-000001', quantity: 1 } });
      const set = await call('PATCH', '/cart/items/SKU-000002', { user: alice, payload: { quantity: 9 } });
      expect(set.json()).toEqual({
        items: [
          { sku: 'SKU-000001', quantity: 1 },
          { sku: 'SKU-000002', quantity: 9 },
        ],
      });
      await call('POST', '/cart/items', { user: bob, payload: { sku: 'SKU-000003', quantity: 1 } });
      expect((await call('GET', '/cart', { user: bob })).json()).toEqual({
        items: [{ sku: 'SKU-000003', quantity: 1 }],
      });
      const removed = await call('DELETE', '/cart/items/SKU-000001', { user: alice });
      expect(removed.json()).toEqual({ items: [{ sku: 'SKU-000002', quantity: 9 }] });
      expect((await call('DELETE', '/cart', { user: alice })).json()).toEqual({ items: [] });
      expect(await redis.exists(`${cartPrefix}:${alice}`)).toBe(0);
      expect((await call('GET', '/cart', { user: bob })).json().items).toHaveLength(1);
    });

    it('keeps the cart in a Redis hash whose TTL every write refreshes', async () => {
      const user = uniqueName('ttl');
      const key = `${cartPrefix}:${user}`;
      await call('POST', '/cart/items', { user, payload: { sku: 'SKU-000001', quantity: 2 } });
      expect(await redis.hgetall(key)).toEqual({ 'SKU-000001': '2' });
      expect(await redis.ttl(key)).toBeGreaterThan(CART_TTL_SECONDS - 10);
      await redis.expire(key, 100); // as if the cart had aged
      await call('PATCH', '/cart/items/SKU-000001', { user, payload: { quantity: 4 } });
      expect(await redis.ttl(key)).toBeGreaterThan(CART_TTL_SECONDS - 10);
    });

    it.each([
      ['quantity 0', { sku: 'SKU-000001', quantity: 0 }, /quantity must be an integer from 1 to 100/],
      [
        'a negative quantity',
        { sku: 'SKU-000001', quantity: -3 },
        /quantity must be an integer from 1 to 100/,
      ],
      ['a huge quantity', { sku: 'SKU-000001', quantity: 1e9 }, /quantity must be an integer from 1 to 100/],
      ['a fractional quantity', { sku: 'SKU-000001', quantity: 1.5 }, /quantity must be an integer/],
      ['a quantity as text', { sku: 'SKU-000001', quantity: '2' }, /quantity must be an integer/],
      ['a malformed SKU', { sku: 'sku 1; drop', quantity: 1 }, /sku must be a SKU/],
      [
        'an unknown field',
        { sku: 'SKU-000001', quantity: 1, priceCents: 1 },
        /property priceCents should not exist/,
      ],
    ])('rejects %s with a 400 and leaves the cart alone', async (_case, payload, message) => {
      const user = uniqueName('bad');
      const res = await call('POST', '/cart/items', { user, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(message);
      expect(await redis.exists(`${cartPrefix}:${user}`)).toBe(0);
    });

    it('holds at most 100 of a line and 50 lines, even under concurrent adds on both replicas', async () => {
      const user = uniqueName('limits');
      const adds = await Promise.all(
        Array.from({ length: 14 }, (_, i) =>
          call('POST', '/cart/items', { user, payload: { sku: 'SKU-000001', quantity: 10 }, replica: i % 2 }),
        ),
      );
      const codes = adds.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 200)).toHaveLength(10);
      expect(codes.filter((c) => c === 400)).toHaveLength(4);
      expect(adds.find((r) => r.statusCode === 400)!.json().message).toMatch(
        /quantity of SKU-000001 would be 110; a line holds at most 100/,
      );
      expect(await redis.hget(`${cartPrefix}:${user}`, 'SKU-000001')).toBe('100');

      for (let i = 2; i <= 50; i++) {
        const sku = `SKU-${String(i).padStart(6, '0')}`;
        expect((await call('POST', '/cart/items', { user, payload: { sku, quantity: 1 } })).statusCode).toBe(
          200,
        );
      }
      const tooMany = await call('POST', '/cart/items', {
        user,
        payload: { sku: 'SKU-999999', quantity: 1 },
      });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().message).toMatch(/at most 50 lines/);
      expect(await redis.hlen(`${cartPrefix}:${user}`)).toBe(50);
    });

    it('answers 404 when setting a line that is not in the cart, 400 for a bad SKU in the path', async () => {
      const user = uniqueName('patch');
      const missing = await call('PATCH', '/cart/items/SKU-000001', { user, payload: { quantity: 1 } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().message).toBe('SKU-000001 is not in the cart');
      expect((await call('DELETE', '/cart/items/not-a-sku', { user })).statusCode).toBe(400);
      expect(await redis.exists(`${cartPrefix}:${user}`)).toBe(0);
    });
  });

  describe('checkout', () => {
    it('turns the cart into a PENDING_PAYMENT order, with its outbox row in the same transaction, and publishes order.placed keyed by order id', async () => {
      const user = uniqueName('buyer');
      await call('POST', '/cart/items', { user, payload: { sku: 'SKU-000001', quantity: 2 } });
      await call('POST', '/cart/items', { user, payload: { sku: 'SKU-000003', quantity: 1 } });
      const requestId = uniqueName('req');
      const res = await checkout(user, uniqueName('key'), undefined, 1, requestId);
      expect(res.statusCode).toBe(202);
      const { orderId } = res.json();
      expect(res.json()).toEqual({ orderId: expect.any(String), status: 'PENDING_PAYMENT' });

      // Inventory was asked, signed as the orders service, with the order id.
      const reservation = inventory.state.calls.find((c) => c.request.orderId === orderId)!;
      expect(reservation.request.items).toEqual([
        { sku: 'SKU-000001', quantity: 2 },
        { sku: 'SKU-000003', quantity: 1 },
      ]);
      expect(reservation.headers['x-user-role']).toBe('service');
      expect(reservation.headers['x-request-id']).toBe(requestId);

      const total = 2 * PRICES['SKU-000001'] + PRICES['SKU-000003'];
      const order = await db.query(`SELECT *, xmin::text AS tx FROM "${schema.name}".orders WHERE id = $1`, [
        orderId,
      ]);
      expect(order.rows[0]).toMatchObject({
        user_id: user,
        status: 'PENDING_PAYMENT',
        total_cents: String(total),
      });
      // Rows written by one transaction carry its id in xmin: order, lines and the key's answer.
      const items = await db.query(
        `SELECT xmin::text AS tx FROM "${schema.name}".order_items WHERE order_id = $1`,
        [orderId],
      );
      const key = await db.query(
        `SELECT xmin::text AS tx, status, response_code FROM "${schema.name}".idempotency_keys WHERE user_id = $1`,
        [user],
      );
      expect(items.rows.map((r) => r.tx)).toEqual([order.rows[0].tx, order.rows[0].tx]);
      expect(key.rows[0]).toEqual({ tx: order.rows[0].tx, status: 'done', response_code: 202 });
      expect(await count('outbox', `topic = 'order.placed' AND key = $1`, [orderId])).toBe(1);

      const message = await waitFor(
        () => received.find((m) => m.topic === 'order.placed' && m.key === orderId),
        {
          timeoutMs: 20_000,
          what: 'order.placed on Kafka',
        },
      );
      expect(message.envelope).toMatchObject({
        type: 'order.placed',
        key: orderId,
        requestId,
        data: {
          orderId,
          userId: user,
          totalCents: total,
          items: [
            { sku: 'SKU-000001', quantity: 2, priceCents: PRICES['SKU-000001'] },
            { sku: 'SKU-000003', quantity: 1, priceCents: PRICES['SKU-000003'] },
          ],
        },
      });
      expect((await call('GET', '/cart', { user })).json()).toEqual({ items: [] });
      const read = await call('GET', `/orders/${orderId}`, { user });
      expect(read.json()).toEqual({
        id: orderId,
        status: 'PENDING_PAYMENT',
        items: message.envelope.data && (message.envelope.data as { items: unknown }).items,
        totalCents: total,
        createdAt: expect.any(String),
      });
    });

    it('writes nothing when the order transaction fails after the hold, releases the key, and a retry reuses that hold', async () => {
      const user = uniqueName('txfail');
      const key = uniqueName('key');
      const body = { items: [{ sku: 'SKU-000002', quantity: 1 }] };
      const callsBefore = inventory.state.calls.length;
      // A trigger makes the outbox insert fail for this user only: the order insert before it must roll back.
      await db.query(`
        CREATE FUNCTION "${schema.name}".fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.envelope->'data'->>'userId' = '${user}' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER fail_outbox BEFORE INSERT ON "${schema.name}".outbox
          FOR EACH ROW EXECUTE FUNCTION "${schema.name}".fail_outbox();`);
      try {
        const res = await checkout(user, key, body);
        expect(res.statusCode).toBe(500);
        expect(await count('orders', 'user_id = $1', [user])).toBe(0);
        expect(await count('idempotency_keys', 'user_id = $1', [user])).toBe(0);
      } finally {
        await db.query(`DROP TRIGGER fail_outbox ON "${schema.name}".outbox`);
      }
      // The retry asks inventory for the same order id, so it gets the first attempt's hold back
      // instead of taking a second one.
      const retry = await checkout(user, key, body);
      expect(retry.statusCode).toBe(202);
      const orderIds = inventory.state.calls.slice(callsBefore).map((c) => c.request.orderId);
      expect(orderIds).toEqual([retry.json().orderId, retry.json().orderId]);
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);
    });

    it('refuses a retry whose earlier hold has expired: 409, no order, and the answer is stored', async () => {
      const user = uniqueName('expired');
      const key = uniqueName('key');
      const body = { items: [{ sku: 'SKU-000002', quantity: 1 }] };
      inventory.state.replayStatus = 'RELEASED';
      try {
        const res = await checkout(user, key, body);
        expect(res.statusCode).toBe(409);
        expect(res.json().message).toContain('retry with a new Idempotency-Key');
        expect(await count('orders', 'user_id = $1', [user])).toBe(0);
        expect((await checkout(user, key, body)).json()).toEqual(res.json());
      } finally {
        inventory.state.replayStatus = undefined;
      }
    });

    it('answers the same key and body with the same 202 and places one order', async () => {
      const user = uniqueName('retry');
      const key = uniqueName('key');
      const body = {
        items: [
          { sku: 'SKU-000002', quantity: 1 },
          { sku: 'SKU-000001', quantity: 1 },
        ],
      };
      const first = await checkout(user, key, body);
      const calls = inventory.state.calls.length;
      // Same lines in another order, on the other replica: the same request.
      const again = await checkout(user, key, { items: [...body.items].reverse() }, 1);
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(again.json()).toEqual(first.json());
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(inventory.state.calls.length).toBe(calls);
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);

      const other = await checkout(user, key, { items: [{ sku: 'SKU-000002', quantity: 2 }] });
      expect(other.statusCode).toBe(422);
      expect(other.json()).toMatchObject({
        statusCode: 422,
        message: 'Idempotency-Key reused with a different body',
      });
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);
      // Keys belong to a user: another user may use the same key for their own order.
      expect((await checkout(uniqueName('other'), key, body)).statusCode).toBe(202);
    });

    it('places one order for concurrent duplicates over both replicas', async () => {
      const user = uniqueName('dupes');
      const key = uniqueName('key');
      const body = { items: [{ sku: 'SKU-000003', quantity: 1 }] };
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => checkout(user, key, body, i % 2)),
      );
      const codes = responses.map((r) => r.statusCode);
      console.log(`concurrent duplicates: ${codes.join(', ')}`);
      expect(codes.every((c) => c === 202 || c === 409)).toBe(true);
      const accepted = responses.filter((r) => r.statusCode === 202).map((r) => r.json().orderId);
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      expect(new Set(accepted).size).toBe(1);
      const busy = responses.find((r) => r.statusCode === 409);
      if (busy)
        expect(busy.json().message).toBe('a request with this Idempotency-Key is in progress; retry shortly');
      expect(await count('orders', 'user_id = $1', [user])).toBe(1);
      const final = await checkout(user, key, body);
      expect(final.json().orderId).toBe(accepted[0]);
    });

    it('answers 409 naming the SKU when out of stock, places no order, and replays that answer', async () => {
      const user = uniqueName('oos');
      const key = uniqueName('key');
      const body = {
        items: [
          { sku: 'SKU-000001', quantity: 1 },
          { sku: 'SKU-LOW', quantity: 2 },
        ],
      };
      const res = await checkout(user, key, body);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: expect.stringMatching(/^out of stock: SKU-LOW/),
        sku: 'SKU-LOW',
        available: 1,
      });
      expect(await count('orders', 'user_id = $1', [user])).toBe(0);
      const again = await checkout(user, key, body, 1);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toEqual(res.json());
    });

    it.each([
      ['down (503)', 'down'],
      ['too slow (timeout)', 'slow'],
    ] as const)(
      'answers 503 when inventory is %s, places no order, and frees the key for a retry',
      async (_case, mode) => {
        const user = uniqueName('down');
        const key = uniqueName('key');
        const body = { items: [{ sku: 'SKU-000002', quantity: 1 }] };
        inventory.state.mode = mode;
        const res = await checkout(user, key, body);
        expect(res.statusCode).toBe(503);
        expect(res.json().message).toMatch(/inventory.*retry with the same Idempotency-Key/);
        expect(await count('orders', 'user_id = $1', [user])).toBe(0);
        expect(await count('idempotency_keys', 'user_id = $1', [user])).toBe(0);
        inventory.state.mode = 'up';
        expect((await checkout(user, key, body)).statusCode).toBe(202);
      },
    );

    it('answers 422 naming an unknown SKU (from catalog or inventory) and stores that answer', async () => {
      const user = uniqueName('unknown');
      const res = await checkout(user, uniqueName('key'), {
        items: [
          { sku: 'SKU-999999', quantity: 1 },
          { sku: 'SKU-000001', quantity: 1 },
        ],
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().message).toBe('unknown SKU: SKU-999999');
      const inv = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-NOINV', quantity: 1 }] });
      expect(inv.statusCode).toBe(422);
      expect(inv.json().message).toMatch(/SKU-NOINV/);
      expect(await count('orders', 'user_id = $1', [user])).toBe(0);
      expect(await count('idempotency_keys', `user_id = $1 AND response_code = 422`, [user])).toBe(2);
    });

    const items = (...lines: object[]) => ({ items: lines });
    it.each([
      ['quantity 0', items({ sku: 'SKU-000001', quantity: 0 }), /quantity must be an integer from 1 to 100/],
      [
        'a negative quantity',
        items({ sku: 'SKU-000001', quantity: -1 }),
        /quantity must be an integer from 1 to 100/,
      ],
      [
        'a huge quantity',
        items({ sku: 'SKU-000001', quantity: 1e12 }),
        /quantity must be an integer from 1 to 100/,
      ],
      ['a fractional quantity', items({ sku: 'SKU-000001', quantity: 2.5 }), /quantity must be an integer/],
      ['a malformed SKU', items({ sku: "'; drop table", quantity: 1 }), /sku must be a SKU/],
      [
        'an unknown field',
        { items: [{ sku: 'SKU-000001', quantity: 1 }], coupon: 'FREE' },
        /property coupon should not exist/,
      ],
      [
        'an unknown line field',
        items({ sku: 'SKU-000001', quantity: 1, priceCents: 0 }),
        /property priceCents should not exist/,
      ],
      ['an empty item list', items(), /items must not be empty/],
      ['items that are not a list', { items: 'SKU-000001' }, /items must be an array/],
      [
        'a SKU listed twice',
        items({ sku: 'SKU-000001', quantity: 1 }, { sku: 'SKU-000001', quantity: 2 }),
        /must not list a SKU twice/,
      ],
      [
        '51 lines',
        {
          items: Array.from({ length: 51 }, (_, i) => ({
            sku: `SKU-${String(i + 1).padStart(6, '0')}`,
            quantity: 1,
          })),
        },
        /at most 50 lines/,
      ],
      ['malformed JSON', '{"items": [', /JSON/],
      [
        'a missing Idempotency-Key',
        items({ sku: 'SKU-000001', quantity: 1 }),
        /Idempotency-Key header is required/,
        null,
      ],
      [
        'a too short Idempotency-Key',
        items({ sku: 'SKU-000001', quantity: 1 }),
        /Idempotency-Key header is required/,
        'short',
      ],
      [
        'an Idempotency-Key with spaces',
        items({ sku: 'SKU-000001', quantity: 1 }),
        /Idempotency-Key header is required/,
        'has spaces in it',
      ],
      ['an empty cart', undefined, /cart is empty/],
    ])(
      'rejects %s with a 400 naming it, and writes nothing',
      // A rest parameter on purpose: Jest takes a declared parameter that a row leaves out for `done`.
      async (...row: unknown[]) => {
        const [, payload, message, key] = row as [
          string,
          object | string | undefined,
          RegExp,
          string | null | undefined,
        ];
        const tables = ['orders', 'order_items', 'outbox', 'idempotency_keys'];
        const countAll = async () => {
          const counts: number[] = [];
          for (const table of tables) counts.push(await count(table));
          return counts;
        };
        const before = await countAll();
        const calls = inventory.state.calls.length;
        const res = await checkout(
          uniqueName('bad'),
          key === null ? undefined : (key ?? uniqueName('key')),
          payload,
        );
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({
          statusCode: 400,
          error: 'Bad Request',
          message: expect.stringMatching(message),
        });
        expect(await countAll()).toEqual(before);
        expect(inventory.state.calls.length).toBe(calls);
      },
    );
  });

  describe('payment outcomes', () => {
    const place = async (user: string): Promise<string> => {
      const res = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-000002', quantity: 3 }] });
      expect(res.statusCode).toBe(202);
      return res.json().orderId;
    };
    const publish = (event: EventEnvelope) => publisher.publish(topicPrefix + event.type, event);

    it('confirms the order once when payment.succeeded is delivered twice, and emits order.confirmed', async () => {
      const user = uniqueName('payer');
      const orderId = await place(user);
      const event = PaymentSucceeded.create(
        orderId,
        { orderId, paymentId: randomUUID(), amountCents: 1_500 },
        'req-pay-1',
      );
      await publish(event);
      await publish(event); // the redelivery at-least-once allows
      await waitFor(async () => (await orderStatus(orderId)) === 'CONFIRMED', {
        timeoutMs: 30_000,
        what: 'CONFIRMED',
      });
      const confirmed = await waitFor(
        () => received.find((m) => m.topic === 'order.confirmed' && m.key === orderId),
        {
          timeoutMs: 20_000,
          what: 'order.confirmed on Kafka',
        },
      );
      expect(confirmed.envelope).toMatchObject({
        requestId: 'req-pay-1',
        data: {
          orderId,
          userId: user,
          totalCents: 1_500,
          items: [{ sku: 'SKU-000002', quantity: 3, priceCents: 500 }],
        },
      });
      await waitFor(
        async () =>
          (await metricSum(/^orders_payment_events_total\{type="payment.succeeded",result="duplicate"\}/)) >=
          1,
        { timeoutMs: 20_000, what: 'the duplicate to be seen and skipped' },
      );
      expect(await count('outbox', `topic = 'order.confirmed' AND key = $1`, [orderId])).toBe(1);
      expect(await count('processed_messages', 'event_id = $1', [event.id])).toBe(1);
      expect((await call('GET', `/orders/${orderId}`, { user })).json().status).toBe('CONFIRMED');
    });

    it('cancels the order with the reason when payment.failed arrives (twice), and a late success changes nothing', async () => {
      const user = uniqueName('declined');
      const orderId = await place(user);
      const failed = PaymentFailed.create(orderId, {
        orderId,
        paymentId: randomUUID(),
        reason: 'card declined',
      });
      await publish(failed);
      await publish(failed);
      await waitFor(async () => (await orderStatus(orderId)) === 'CANCELLED', {
        timeoutMs: 30_000,
        what: 'CANCELLED',
      });
      const cancelled = await waitFor(
        () => received.find((m) => m.topic === 'order.cancelled' && m.key === orderId),
        {
          timeoutMs: 20_000,
          what: 'order.cancelled on Kafka',
        },
      );
      expect(cancelled.envelope.data).toMatchObject({ orderId, userId: user, reason: 'card declined' });

      const late = PaymentSucceeded.create(orderId, { orderId, paymentId: randomUUID(), amountCents: 1_500 });
      await publish(late);
      await waitFor(async () => (await count('processed_messages', 'event_id = $1', [late.id])) === 1, {
        timeoutMs: 30_000,
        what: 'the late event to be consumed',
      });
      expect(await orderStatus(orderId)).toBe('CANCELLED');
      expect(
        await count('outbox', `key = $1 AND topic IN ('order.confirmed', 'order.cancelled')`, [orderId]),
      ).toBe(1);
    });
  });

  describe('reading orders', () => {
    it('shows an order only to its owner (404 for anyone else, any order for an admin) and lists only the caller’s, newest first', async () => {
      const owner = uniqueName('owner');
      const stranger = uniqueName('stranger');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await checkout(owner, uniqueName('key'), {
          items: [{ sku: 'SKU-000001', quantity: 1 + i }],
        });
        ids.push(res.json().orderId);
      }
      await checkout(stranger, uniqueName('key'), { items: [{ sku: 'SKU-000001', quantity: 1 }] });

      const foreign = await call('GET', `/orders/${ids[0]}`, { user: stranger });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().message).toBe(`order ${ids[0]} not found`);
      expect((await call('GET', `/orders/${randomUUID()}`, { user: stranger })).json().message).toMatch(
        /not found/,
      );
      expect(
        (await call('GET', `/orders/${ids[0]}`, { user: uniqueName('ops'), role: 'admin' })).statusCode,
      ).toBe(200);
      expect((await call('GET', '/orders/not-a-uuid', { user: owner })).json().message).toBe(
        'id must be an order id (a UUID)',
      );

      const page = (await call('GET', '/orders?page=1&limit=2', { user: owner })).json();
      expect(page).toMatchObject({ page: 1, limit: 2, total: 3 });
      expect(page.items.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
      const rest = (await call('GET', '/orders?page=2&limit=2', { user: owner, replica: 1 })).json();
      expect(rest.items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
      expect((await call('GET', '/orders?limit=500', { user: owner })).statusCode).toBe(400);
    });

    it('exposes checkout outcomes, latency and status transitions on /metrics', async () => {
      expect(await metricSum(/^orders_checkouts_total\{outcome="accepted"\}/)).toBeGreaterThan(0);
      expect(await metricSum(/^orders_checkouts_total\{outcome="replayed"\}/)).toBeGreaterThan(0);
      expect(await metricSum(/^orders_checkouts_total\{outcome="out_of_stock"\}/)).toBeGreaterThan(0);
      expect(
        await metricSum(/^orders_checkout_duration_seconds_count\{outcome="accepted"\}/),
      ).toBeGreaterThan(0);
      expect(
        await metricSum(/^orders_status_transitions_total\{from="PENDING_PAYMENT",to="CONFIRMED"\}/),
      ).toBe(1);
    });
  });

  // After 'reading orders': these confirm orders too, which the metrics test above counts.
  describe('paid orders inventory cannot fulfil', () => {
    const publish = (event: EventEnvelope) => publisher.publish(topicPrefix + event.type, event);
    const unfulfillable = (orderId: string) =>
      OrderUnfulfillable.create(
        orderId,
        { orderId, sku: 'SKU-000002', requested: 3, available: 0, reason: 'sold out after the hold expired' },
        'req-late-1',
      );
    const consumed = (eventId: string) =>
      waitFor(async () => (await count('processed_messages', 'event_id = $1', [eventId])) === 1, {
        timeoutMs: 30_000,
        what: `event ${eventId} to be consumed`,
      });
    const placeAndConfirm = async (user: string): Promise<string> => {
      const res = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-000002', quantity: 3 }] });
      const orderId: string = res.json().orderId;
      await publish(
        PaymentSucceeded.create(orderId, { orderId, paymentId: randomUUID(), amountCents: 1_500 }),
      );
      await waitFor(async () => (await orderStatus(orderId)) === 'CONFIRMED', {
        timeoutMs: 30_000,
        what: 'CONFIRMED',
      });
      return orderId;
    };

    it('cancels a CONFIRMED order once when order.unfulfillable is delivered twice or re-emitted, and emits order.cancelled', async () => {
      const user = uniqueName('late-payer');
      const orderId = await placeAndConfirm(user);
      const { rows: confirmedRows } = await db.query(
        `SELECT updated_at FROM "${schema.name}".orders WHERE id = $1`,
        [orderId],
      );
      const confirmedAt = (confirmedRows[0].updated_at as Date).toISOString();
      const event = unfulfillable(orderId);
      const reemitted = unfulfillable(orderId); // same order, new event id: the inbox cannot catch it
      await publish(event);
      await publish(event);
      await publish(reemitted);
      await consumed(reemitted.id); // same key, same partition, published last

      expect(await orderStatus(orderId)).toBe('CANCELLED');
      const { rows } = await db.query(`SELECT cancel_reason FROM "${schema.name}".orders WHERE id = $1`, [
        orderId,
      ]);
      const reason: string = rows[0].cancel_reason;
      expect(reason).toMatch(/paid after its stock hold expired, and SKU-000002 sold out/);
      expect(await count('outbox', `topic = 'order.cancelled' AND key = $1`, [orderId])).toBe(1);
      const cancelled = await waitFor(
        () => received.find((m) => m.topic === 'order.cancelled' && m.key === orderId),
        { timeoutMs: 20_000, what: 'order.cancelled on Kafka' },
      );
      expect(cancelled.envelope).toMatchObject({
        requestId: 'req-late-1',
        data: {
          orderId,
          userId: user,
          items: [{ sku: 'SKU-000002', quantity: 3, priceCents: 500 }],
          reason,
          confirmedAt, // so best-sellers can take back the confirmation where it counted it
        },
      });
      expect(
        await metricSum(/^orders_inventory_events_total\{type="order.unfulfillable",result="applied"\}/),
      ).toBe(1);
      expect(
        await metricSum(/^orders_inventory_events_total\{type="order.unfulfillable",result="duplicate"\}/),
      ).toBeGreaterThanOrEqual(1);
      expect(await metricSum(/^orders_status_transitions_total\{from="CONFIRMED",to="CANCELLED"\}/)).toBe(1);
      // The re-emitted event found the order CANCELLED already: counted as ignored, nothing written.
      expect(
        await metricSum(/^orders_inventory_events_total\{type="order.unfulfillable",result="ignored"\}/),
      ).toBe(1);
    });

    it('leaves an order that was never paid (still PENDING_PAYMENT) as it is', async () => {
      const user = uniqueName('not-paid');
      const res = await checkout(user, uniqueName('key'), { items: [{ sku: 'SKU-000002', quantity: 1 }] });
      const pending: string = res.json().orderId;
      const ignored = /^orders_inventory_events_total\{type="order.unfulfillable",result="ignored"\}/;
      const ignoredBefore = await metricSum(ignored);
      const event = unfulfillable(pending);
      await publish(event);
      await consumed(event.id);
      expect(await orderStatus(pending)).toBe('PENDING_PAYMENT');
      expect(await count('outbox', `topic = 'order.cancelled' AND key = $1`, [pending])).toBe(0);
      expect(await metricSum(ignored)).toBe(ignoredBefore + 1);
    });
  });
});
