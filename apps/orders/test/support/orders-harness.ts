import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { reservationRequest, type ReservationRequest } from '@sdp/contracts';
import { verifyIdentity } from '@sdp/identity';
import { createKafka, EventPublisher, type EventEnvelope } from '@sdp/messaging';
import { asUser, TEST_INTERNAL_AUTH_SECRET, testInfraEnv, testSchema, uniqueName } from '@sdp/testing';
import { Redis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import { Client } from 'pg';
import { createOrdersApp } from '../../src/app';
import { loadOrdersConfig } from '../../src/config';

// The orders integration harness: two orders replicas in-process against the real Postgres, Redis
// and Kafka, on a private schema, cart key prefix, topic prefix and consumer group. Inventory and
// catalog are small fake HTTP servers below that follow their contracts and record every call.
// Each *.int-spec.ts file calls ordersHarness() inside its describe and gets its own copy.

export const UPSTREAM_TIMEOUT_MS = 600;
export const CART_TTL_SECONDS = 3_600;

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

export const PRICES = {
  'SKU-000001': 1_999,
  'SKU-000002': 500,
  'SKU-000003': 12_345,
  'SKU-LOW': 700,
  'SKU-NOINV': 100,
};

export type OrdersHarness = ReturnType<typeof ordersHarness>;

/** Starts the replicas, fakes and a probe consumer around the calling describe block. */
export function ordersHarness() {
  const schema = testSchema('orders');
  const topicPrefix = `${uniqueName('t')}.`;
  const cartPrefix = uniqueName('cart_int');
  const inventory = startFakeInventory({
    'SKU-000001': 10_000,
    'SKU-000002': 10_000,
    'SKU-000003': 10_000,
    'SKU-LOW': 1,
    'SKU-NOPRICE': 10_000, // held by inventory, unknown to catalog
  });
  const catalog = startFakeCatalog(PRICES);
  const replicas: NestFastifyApplication[] = [];
  const redis = new Redis(testInfraEnv().REDIS_CACHE_URL);
  const kafka = createKafka({
    clientId: 'orders-int-test',
    brokers: testInfraEnv().KAFKA_BROKERS.split(','),
  });
  const publisher = new EventPublisher(kafka);
  const received: { topic: string; key: string; envelope: EventEnvelope }[] = [];
  let consumer: Consumer;
  // Connected in beforeAll; constructed here so that callers can hold on to it.
  const db = new Client({ connectionString: testInfraEnv().DATABASE_URL });

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
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${schema.name}".${table} WHERE ${where}`,
        params,
      )
    ).rows[0].n;
  const orderStatus = async (id: string): Promise<string | undefined> =>
    (await db.query<{ status: string }>(`SELECT status FROM "${schema.name}".orders WHERE id = $1`, [id]))
      .rows[0]?.status;
  const metricSum = async (pattern: RegExp): Promise<number> => {
    let sum = 0;
    for (const app of replicas) {
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      for (const line of text.split('\n')) if (pattern.test(line)) sum += Number(line.split(' ').pop());
    }
    return sum;
  };

  async function startReplica(index: number, catalogUrl: string, inventoryUrl: string) {
    const config = loadOrdersConfig({
      ...testInfraEnv(),
      DB_SCHEMA: schema.name,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      CART_KEY_PREFIX: cartPrefix,
      CART_TTL_SECONDS: String(CART_TTL_SECONDS),
      CATALOG_URL: catalogUrl,
      INVENTORY_URL: inventoryUrl,
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
    replicas.push(await startReplica(1, catalogUrl, inventoryUrl));
    replicas.push(await startReplica(2, catalogUrl, inventoryUrl));
    await db.connect();
    await publisher.connect();
    consumer = kafka.consumer({ groupId: uniqueName('orders-int-probe') });
    await consumer.connect();
    await consumer.subscribe({
      topics: ['order.placed', 'order.confirmed', 'order.cancelled'].map((t) => topicPrefix + t),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        received.push({
          topic: topic.slice(topicPrefix.length),
          key: message.key!.toString(),
          envelope: JSON.parse(message.value!.toString()) as EventEnvelope,
        });
        return Promise.resolve();
      },
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

  return {
    replicas,
    redis,
    publisher,
    received,
    db,
    call,
    checkout,
    count,
    orderStatus,
    metricSum,
    schema,
    topicPrefix,
    cartPrefix,
    inventory,
    catalog,
  };
}
