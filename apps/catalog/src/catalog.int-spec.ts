import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createKafka, headers, headerText } from '@sdp/messaging';
import {
  asUser,
  connectPostgres,
  startDisposableRedis,
  testInfraEnv,
  testSchema,
  uniqueName,
  waitFor,
} from '@sdp/testing';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { ProductsRepository } from './products/products.repository';
import { startCatalogApp } from '../test/support/catalog-app';

// Two catalog replicas in-process, on a private schema and key prefix, against the real Postgres,
// Redis and Kafka started by `pnpm infra:up`.
const schema = testSchema('catalog');
const cachePrefix = uniqueName('catalog_int');

const startReplica = (index: number, overrides: Record<string, string> = {}) =>
  startCatalogApp({
    DB_SCHEMA: schema.name,
    CACHE_KEY_PREFIX: cachePrefix,
    INSTANCE_ID: `catalog-int-${index}`,
    ...overrides,
  });

describe('catalog (integration)', () => {
  const replicas: NestFastifyApplication[] = [];
  const findById = jest.spyOn(ProductsRepository.prototype, 'findById');
  const get = (url: string, replica = 0) => replicas[replica].inject({ method: 'GET', url });
  const put = (url: string, body: string, requestId?: string, identity = asUser('admin-1', 'admin')) =>
    replicas[0].inject({
      method: 'PUT',
      url,
      payload: body,
      headers: {
        'content-type': 'application/json',
        ...identity,
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
    });

  beforeAll(async () => {
    replicas.push(await startReplica(1));
    replicas.push(await startReplica(2));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    await schema.drop();
  });

  beforeEach(() => findById.mockClear());

  it('migrates and seeds at least 1,000 products', async () => {
    const res = await get('/products?limit=1');
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBeGreaterThanOrEqual(1_000);
  });

  it('serves a product as a MISS from Postgres, then a HIT from Redis', async () => {
    const first = await get('/products/11');
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-cache']).toBe('MISS');
    const second = await get('/products/11', 1); // the other replica shares the cache
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.json()).toEqual(first.json());
    expect(findById).toHaveBeenCalledTimes(1);
    expect(first.json()).toMatchObject({ id: 11, sku: 'SKU-000011', category: { slug: expect.any(String) } });
  });

  it('lets a stampede of 50 concurrent reads of a cold key, over both replicas, do one DB query', async () => {
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => get('/products/77', i % 2)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    expect(new Set(responses.map((r) => r.body)).size).toBe(1);
    expect(findById).toHaveBeenCalledTimes(1);
  });

  it('pages, filters by category and sorts', async () => {
    const res = await get('/products?category=audio&sort=-price&page=2&limit=5');
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page).toMatchObject({ page: 2, limit: 5 });
    expect(page.items).toHaveLength(5);
    expect(page.items.every((p: { category: { slug: string } }) => p.category.slug === 'audio')).toBe(true);
    const prices = page.items.map((p: { priceCents: number }) => p.priceCents);
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
  });

  it('filters by a list of SKUs (how orders looks up prices), and rejects a bad SKU list', async () => {
    const res = await get('/products?skus=SKU-000003,SKU-000001,SKU-999999&limit=50');
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.total).toBe(2);
    expect(page.items.map((p: { sku: string }) => p.sku).sort()).toEqual(['SKU-000001', 'SKU-000003']);
    // A different SKU list is a different cached page, not the one above.
    const other = await get('/products?skus=SKU-000002&limit=50', 1);
    expect(other.json().items.map((p: { sku: string }) => p.sku)).toEqual(['SKU-000002']);
    const bad = await get('/products?skus=SKU-000001,drop%20table');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/skus must list SKUs/);
  });

  describe('update', () => {
    let consumer: Consumer;
    const received: KafkaMessage[] = [];

    beforeAll(async () => {
      const kafka = createKafka({
        clientId: 'catalog-int-test',
        brokers: testInfraEnv().KAFKA_BROKERS.split(','),
      });
      consumer = kafka.consumer({ groupId: uniqueName('catalog-int') });
      await consumer.connect();
      await consumer.subscribe({ topic: 'product.updated', fromBeginning: false });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
      await joined;
    });

    afterAll(async () => {
      await consumer.disconnect();
    });

    it('is visible on the next read, and its event is consumed from Kafka', async () => {
      await get('/products/21'); // warm the cache with the old value
      const requestId = uniqueName('req');
      const res = await put(
        '/products/21',
        JSON.stringify({ priceCents: 4_321, name: 'Renamed Lamp' }),
        requestId,
      );
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: 21, priceCents: 4_321, name: 'Renamed Lamp' });

      const next = await get('/products/21', 1);
      expect(next.headers['x-cache']).toBe('MISS');
      expect(next.json()).toMatchObject({ priceCents: 4_321, name: 'Renamed Lamp' });

      const message = await waitFor(
        () => received.find((m) => headerText(m.headers?.[headers.requestId]) === requestId),
        {
          timeoutMs: 15_000,
          what: 'product.updated for the request',
        },
      );
      expect(message.key?.toString()).toBe('21');
      const envelope = JSON.parse(message.value!.toString());
      expect(envelope).toMatchObject({
        type: 'product.updated',
        key: '21',
        requestId,
        data: { id: 21, priceCents: 4_321, name: 'Renamed Lamp', changed: ['name', 'priceCents'] },
      });
    });

    it.each([
      ['a non-numeric id', '/products/abc', '{"priceCents":100}', /id must be a positive integer/],
      ['a zero id', '/products/0', '{"priceCents":100}', /id must be a positive integer/],
      [
        'an id beyond integer range',
        '/products/99999999999',
        '{"priceCents":100}',
        /id must be a positive integer/,
      ],
      ['a negative price', '/products/31', '{"priceCents":-1}', /priceCents must be at least 1/],
      ['a fractional price', '/products/31', '{"priceCents":1.5}', /priceCents must be an integer/],
      ['a huge price', '/products/31', '{"priceCents":1e12}', /priceCents must be at most/],
      ['a blank name', '/products/31', '{"name":"   "}', /name must not be blank/],
      ['an unknown field', '/products/31', '{"sku":"HACK"}', /property sku should not exist/],
      ['an empty change', '/products/31', '{}', /body must change at least one of/],
      ['malformed JSON', '/products/31', '{"priceCents":', /not valid JSON/],
    ])('rejects %s with a 400 naming the problem and changes nothing', async (_case, url, body, message) => {
      const db = await connectPostgres();
      try {
        const before = await db.query(`SELECT * FROM "${schema.name}".products WHERE id = 31`);
        const res = await put(url, body);
        expect(res.statusCode).toBe(400);
        expect(res.json()).toMatchObject({
          statusCode: 400,
          error: 'Bad Request',
          message: expect.stringMatching(message),
        });
        const after = await db.query(`SELECT * FROM "${schema.name}".products WHERE id = 31`);
        expect(after.rows).toEqual(before.rows);
      } finally {
        await db.end();
      }
    });

    it('refuses a write without a gateway-signed admin identity (401) or from a customer (403)', async () => {
      const db = await connectPostgres();
      try {
        const before = await db.query(`SELECT * FROM "${schema.name}".products WHERE id = 32`);
        const anonymous = await put('/products/32', '{"priceCents":777}', undefined, {});
        expect(anonymous.statusCode).toBe(401);
        expect(anonymous.json()).toMatchObject({ statusCode: 401, message: 'missing gateway identity' });
        const forged = await put('/products/32', '{"priceCents":777}', undefined, {
          'x-user-id': 'admin-1',
          'x-user-role': 'admin',
        });
        expect(forged.statusCode).toBe(401);
        const customer = await put('/products/32', '{"priceCents":777}', undefined, asUser('user-1'));
        expect(customer.statusCode).toBe(403);
        expect(customer.json().message).toBe('requires role admin');
        const after = await db.query(`SELECT * FROM "${schema.name}".products WHERE id = 32`);
        expect(after.rows).toEqual(before.rows);
      } finally {
        await db.end();
      }
    });

    it('answers 404 for an unknown product, for reads and writes', async () => {
      expect((await get('/products/2000000')).statusCode).toBe(404);
      const res = await put('/products/2000000', '{"priceCents":100}');
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toBe('product 2000000 not found');
    });

    it('rejects bad list queries with a 400', async () => {
      for (const query of [
        'page=0',
        'limit=101',
        'sort=sideways',
        'category=Not%20A%20Slug',
        'page=two',
        'evil=1',
      ]) {
        const res = await get(`/products?${query}`);
        expect(res.statusCode).toBe(400);
      }
    });
  });

  it('keeps serving reads from Postgres when Redis is down (degraded, logged), never a 500', async () => {
    const redis = await startDisposableRedis();
    const app = await startReplica(3, { REDIS_CACHE_URL: redis.url });
    try {
      expect((await app.inject({ method: 'GET', url: '/products/5' })).headers['x-cache']).toBe('MISS');
      await redis.kill();
      const res = await app.inject({ method: 'GET', url: '/products/5' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-cache']).toBe('BYPASS');
      expect(res.json()).toMatchObject({ id: 5 });
      const list = await app.inject({ method: 'GET', url: '/products?limit=3' });
      expect(list.statusCode).toBe(200);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/cache_events_total\{cache="product",event="bypass"\} [1-9]/);
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks['redis-cache'].status).toBe('down');
    } finally {
      await app.close();
      await redis.kill();
    }
  });
});
