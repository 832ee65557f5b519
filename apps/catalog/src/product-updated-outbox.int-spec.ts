import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProductUpdated } from '@sdp/contracts';
import { createKafka, Topics } from '@sdp/messaging';
import { OutboxRelay } from '@sdp/outbox';
import { createRedis, waitForRedis } from '@sdp/redis';
import { asUser, connectPostgres, testInfraEnv, testSchema, uniqueName, waitFor } from '@sdp/testing';
import type { Redis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import type { Client } from 'pg';
import { WriteBackFlusher } from './products/write-back.flusher';
import { startCatalogApp } from '../test/support/catalog-app';

// product.updated through the transactional outbox, against the real Postgres, Redis and Kafka. The
// app's relay is stopped while a test looks at the outbox, so rows stay unpublished (as if Kafka were
// down) until the test lets it run; the interval flusher is slowed so write-back flushes by hand.
const schema = testSchema('catalog_outbox');
const cachePrefix = uniqueName('catalog_outbox');

interface OutboxRow {
  xmin: string;
  published: boolean;
  envelope: { key: string; requestId: string; data: { priceCents: number; name: string; changed: string[] } };
}

describe('product.updated via the outbox (integration)', () => {
  let app: NestFastifyApplication;
  let db: Client;
  let consumer: Consumer;
  let redis: Redis;
  const received: { key: string; requestId: string }[] = [];
  const admin = asUser('admin-1', 'admin');
  const put = (url: string, body: unknown, requestId = uniqueName('req')) =>
    app.inject({
      method: 'PUT',
      url,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...admin },
    });
  const useStrategy = async (strategy: string) =>
    expect((await put('/admin/cache/write-strategy', { strategy })).statusCode).toBe(200);
  const outboxFor = async (productId: number): Promise<OutboxRow[]> =>
    (
      await db.query(
        `SELECT xmin::text AS xmin, published_at IS NOT NULL AS published, envelope
         FROM "${schema.name}".outbox WHERE key = $1 ORDER BY id`,
        [String(productId)],
      )
    ).rows;
  const productRow = async (id: number) =>
    (
      await db.query(`SELECT xmin::text AS xmin, price_cents FROM "${schema.name}".products WHERE id = $1`, [
        id,
      ])
    ).rows[0] as { xmin: string; price_cents: number };
  const relay = () => app.get(OutboxRelay);

  beforeAll(async () => {
    app = await startCatalogApp({
      DB_SCHEMA: schema.name,
      CACHE_KEY_PREFIX: cachePrefix,
      INSTANCE_ID: 'catalog-outbox-1',
      WRITE_BACK_FLUSH_MS: '60000',
    });
    db = await connectPostgres();
    redis = createRedis({ url: testInfraEnv().REDIS_CACHE_URL, name: 'catalog-outbox-test', role: 'cache' });
    await waitForRedis(redis);

    const kafka = createKafka({
      clientId: 'catalog-outbox-test',
      brokers: testInfraEnv().KAFKA_BROKERS.split(','),
    });
    consumer = kafka.consumer({ groupId: uniqueName('catalog-outbox') });
    await consumer.connect();
    await consumer.subscribe({ topic: app.get(Topics).name(ProductUpdated.type), fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) =>
        void received.push(JSON.parse(message.value!.toString()) as { key: string; requestId: string }),
    });
    await joined;
  });

  afterAll(async () => {
    await consumer?.disconnect();
    redis?.disconnect();
    await app?.close();
    await db?.end();
    await schema.drop();
  });

  beforeEach(async () => {
    await relay().stop();
  });

  it.each([
    ['write-around', 51],
    ['write-through', 52],
  ])(
    '%s: the row and its outbox event commit in one transaction; the relay publishes it later',
    async (strategy, id) => {
      await useStrategy(strategy);
      const requestId = uniqueName('req');
      const res = await put(`/products/${id}`, { priceCents: 5_100 + id, name: `Outboxed ${id}` }, requestId);
      expect(res.statusCode).toBe(200);

      // Nothing published yet (the relay is stopped: Kafka might as well be down), but nothing lost.
      const [row] = await outboxFor(id);
      expect(row).toMatchObject({
        published: false,
        envelope: {
          key: String(id),
          requestId,
          data: { priceCents: 5_100 + id, name: `Outboxed ${id}`, changed: ['name', 'priceCents'] },
        },
      });
      // Same xmin: the product UPDATE and the outbox INSERT were written by the same transaction.
      expect(row.xmin).toBe((await productRow(id)).xmin);

      relay().start();
      await waitFor(() => received.find((e) => e.requestId === requestId), {
        timeoutMs: 15_000,
        what: `product.updated ${requestId} on Kafka`,
      });
      await waitFor(async () => (await outboxFor(id))[0].published, { what: 'the row marked published' });
      expect(await outboxFor(id)).toHaveLength(1);
    },
  );

  it('the relayed event repairs a stale cache entry that a racing read put back after the write', async () => {
    await useStrategy('write-around');
    const id = 55;
    const key = `${cachePrefix}:product:${id}`;
    const get = () => app.inject({ method: 'GET', url: `/products/${id}` });
    const old = (await get()).json().priceCents as number;
    const staleEntry = await redis.get(key); // what a read that loaded the row before the commit holds
    expect(staleEntry).not.toBeNull();

    expect((await put(`/products/${id}`, { priceCents: old + 1 })).statusCode).toBe(200);
    await redis.set(key, staleEntry!, 'PX', 60_000); // ...and writes back after the request dropped it
    expect([(await get()).json().priceCents, (await get()).headers['x-cache']]).toEqual([old, 'HIT']);

    relay().start();
    await waitFor(async () => (await get()).json().priceCents === old + 1, {
      timeoutMs: 15_000,
      what: 'product.updated to put the committed row in the cache',
    });
    expect((await get()).headers['x-cache']).toBe('HIT'); // repaired in place, not merely dropped
  });

  it('an update of an unknown product writes no outbox row', async () => {
    await useStrategy('write-around');
    expect((await put('/products/2000000', { priceCents: 100 })).statusCode).toBe(404);
    expect(await outboxFor(2_000_000)).toEqual([]);
  });

  it('an update the database rejects (constraint violation) writes no outbox row', async () => {
    await useStrategy('write-around');
    await db.query(
      `ALTER TABLE "${schema.name}".products ADD CONSTRAINT test_no_4242 CHECK (price_cents <> 4242)`,
    );
    try {
      const before = await productRow(53);
      expect((await put('/products/53', { priceCents: 4_242 })).statusCode).toBe(500);
      expect(await productRow(53)).toEqual(before);
      expect(await outboxFor(53)).toEqual([]);
    } finally {
      await db.query(`ALTER TABLE "${schema.name}".products DROP CONSTRAINT test_no_4242`);
    }
  });

  it('an outbox insert that fails rolls the product change back with it', async () => {
    await useStrategy('write-through');
    await db.query(`
      CREATE FUNCTION "${schema.name}".refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'outbox refused by test'; END $$`);
    await db.query(`CREATE TRIGGER refuse BEFORE INSERT ON "${schema.name}".outbox
      FOR EACH ROW EXECUTE FUNCTION "${schema.name}".refuse_outbox()`);
    try {
      const before = await productRow(54);
      expect((await put('/products/54', { priceCents: 5_454 })).statusCode).toBe(500);
      expect(await productRow(54)).toEqual(before);
      const read = await app.inject({ method: 'GET', url: '/products/54' });
      expect(read.json().priceCents).toBe(before.price_cents); // nor was the new value cached
    } finally {
      await db.query(`DROP TRIGGER refuse ON "${schema.name}".outbox`);
      await db.query(`DROP FUNCTION "${schema.name}".refuse_outbox()`);
    }
    expect(await outboxFor(54)).toEqual([]);
  });

  it('write-back: no event before the flush, exactly one per product after it, with the merged fields', async () => {
    await useStrategy('write-back');
    expect((await put('/products/61', { priceCents: 6_101 })).statusCode).toBe(200);
    expect((await put('/products/61', { priceCents: 6_102 })).statusCode).toBe(200);
    expect((await put('/products/61', { name: 'Flushed Lamp' })).statusCode).toBe(200);
    expect((await put('/products/62', { priceCents: 6_202 })).statusCode).toBe(200);
    expect(await outboxFor(61)).toEqual([]);
    expect(await outboxFor(62)).toEqual([]);

    expect(await app.get(WriteBackFlusher).flushAll()).toBe(2);
    const [first, ...more61] = await outboxFor(61);
    const [second, ...more62] = await outboxFor(62);
    expect([more61, more62]).toEqual([[], []]);
    expect(first.envelope.data).toMatchObject({
      priceCents: 6_102,
      name: 'Flushed Lamp',
      changed: ['name', 'priceCents'],
    });
    expect(second.envelope.data).toMatchObject({ priceCents: 6_202, changed: ['priceCents'] });
    // Recorded by the flush's transaction, which also wrote the rows.
    expect(first.xmin).toBe((await productRow(61)).xmin);
    expect(second.xmin).toBe(first.xmin);
    expect(first.envelope.requestId).toMatch(/^write-back-flush-/);

    relay().start();
    await waitFor(
      () =>
        ['61', '62'].every((key) =>
          received.some((e) => e.requestId === first.envelope.requestId && e.key === key),
        ),
      { timeoutMs: 15_000, what: 'both flushed product.updated events on Kafka' },
    );
  });
});
