import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrderCancelled, OrderConfirmed } from '@sdp/contracts';
import { EventPublisher, Topics } from '@sdp/messaging';
import { connectPostgres, testSchema, uniqueName, waitFor } from '@sdp/testing';
import { BestSellersService } from './best-sellers.service';
import { startCatalogApp } from '../../test/support/catalog-app';

// Best-sellers fed by real order.confirmed events through Kafka, on private topics, schema and keys.
const schema = testSchema('catalog_top');
const cachePrefix = uniqueName('catalog_top');
const topicPrefix = `${uniqueName('t')}.`;

describe('best-sellers (integration)', () => {
  let app: NestFastifyApplication;
  const get = (url: string) => app.inject({ method: 'GET', url });
  const confirm = (lines: [string, number][], eventId?: string) => {
    const event = OrderConfirmed.create(
      randomUUID(),
      {
        orderId: randomUUID(),
        userId: 'user-1',
        items: lines.map(([sku, quantity]) => ({ sku, quantity, priceCents: 100 })),
        totalCents: 100,
      },
      uniqueName('req'),
    );
    const envelope = eventId ? { ...event, id: eventId } : event;
    return app.get(EventPublisher).publish(app.get(Topics).name(OrderConfirmed.type), envelope);
  };
  const cancel = (lines: [string, number][], confirmedAt?: string, eventId?: string) => {
    const orderId = randomUUID();
    const event = OrderCancelled.create(orderId, {
      orderId,
      userId: 'user-1',
      items: lines.map(([sku, quantity]) => ({ sku, quantity, priceCents: 100 })),
      reason: 'test',
      ...(confirmedAt ? { confirmedAt } : {}),
    });
    const envelope = eventId ? { ...event, id: eventId } : event;
    return app.get(EventPublisher).publish(app.get(Topics).name(OrderCancelled.type), envelope);
  };
  const counted = async () =>
    (await get('/metrics')).body.match(/catalog_best_seller_events_total\{outcome="(\w+)"\} (\d+)/g) ?? [];

  beforeAll(async () => {
    app = await startCatalogApp({
      DB_SCHEMA: schema.name,
      CACHE_KEY_PREFIX: cachePrefix,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      INSTANCE_ID: 'catalog-top-1',
    });
  });

  afterAll(async () => {
    await app.close();
    await schema.drop();
  });

  it('ranks SKUs by quantity sold from order.confirmed, counts a redelivered event once', async () => {
    const duplicateId = randomUUID();
    await confirm([
      ['SKU-000003', 2],
      ['SKU-000001', 1],
    ]);
    await confirm([['SKU-000002', 5]], duplicateId);
    await confirm([['SKU-000002', 5]], duplicateId); // the same event again (at-least-once delivery)
    await confirm([['SKU-000001', 4]]);
    await waitFor(
      async () =>
        (await counted()).join(' ').includes('outcome="duplicate"} 1') &&
        (await counted()).join(' ').includes('outcome="counted"} 3'),
      {
        timeoutMs: 20_000,
        what: 'four order.confirmed events consumed',
      },
    );
    const res = await get('/products/top?n=2');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toMatch(/public, .*s-maxage=\d+/);
    const body = res.json();
    expect(body.window).toBe('all');
    expect(
      body.items.map((i: { sku: string; sold: number; rank: number }) => [i.rank, i.sku, i.sold]),
    ).toEqual([
      [1, 'SKU-000002', 5],
      [2, 'SKU-000001', 5],
    ]);
    expect(body.items[0].product).toMatchObject({ sku: 'SKU-000002', id: 2 });

    // Units sold also accumulate in Redis and reach product_stats through the write-back flusher.
    const db = await connectPostgres();
    try {
      const sold = async () =>
        (
          await db.query(
            `SELECT p.sku, s.sold FROM "${schema.name}".product_stats s
             JOIN "${schema.name}".products p ON p.id = s.product_id WHERE s.sold > 0 ORDER BY p.sku`,
          )
        ).rows.map((r: { sku: string; sold: string }) => [r.sku, Number(r.sold)]);
      await waitFor(async () => (await sold()).length === 3, { timeoutMs: 10_000, what: 'sold flushed' });
      expect(await sold()).toEqual([
        ['SKU-000001', 5],
        ['SKU-000002', 5],
        ['SKU-000003', 2],
      ]);
    } finally {
      await db.end();
    }
  });

  it('the hour window counts recent orders only (per-minute buckets)', async () => {
    const board = app.get(BestSellersService).board;
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    await board.record(randomUUID(), [{ member: 'SKU-000009', score: 50 }], twoHoursAgo);
    const hour = (await get('/products/top?n=10&window=hour')).json();
    expect(hour.items.map((i: { sku: string }) => i.sku)).not.toContain('SKU-000009');
    expect(hour.items[0]).toMatchObject({ sku: 'SKU-000002', sold: 5 });
    const all = (await get('/products/top?n=1')).json();
    expect(all.items[0]).toMatchObject({ sku: 'SKU-000009', sold: 50 });
  });

  it('takes back a compensated order (cancelled after it was confirmed) once, in the bucket it was counted in', async () => {
    const metricIs = async (outcome: string, n: number) =>
      (await counted()).join(' ').includes(`outcome="${outcome}"} ${n}`);
    const confirmedAt = new Date().toISOString();
    await confirm([['SKU-000004', 7]]);
    await waitFor(() => metricIs('counted', 4), { timeoutMs: 20_000, what: 'the confirmation counted' });
    const hourSkus = async () =>
      (await get('/products/top?n=10&window=hour')).json().items.map((i: { sku: string }) => i.sku);
    expect(await hourSkus()).toContain('SKU-000004');

    const compensation = randomUUID();
    await cancel([['SKU-000004', 7]], confirmedAt, compensation);
    await cancel([['SKU-000004', 7]], confirmedAt, compensation); // redelivered
    await cancel([['SKU-000003', 2]]); // cancelled before any confirmation: it was never counted
    await waitFor(async () => (await metricIs('taken_back', 1)) && (await metricIs('ignored', 1)), {
      timeoutMs: 20_000,
      what: 'the three cancellations consumed',
    });

    expect(await hourSkus()).not.toContain('SKU-000004');
    const all = (await get('/products/top?n=10')).json().items as { sku: string; sold: number }[];
    expect(all.map((i) => i.sku)).not.toContain('SKU-000004');
    expect(all.find((i) => i.sku === 'SKU-000003')).toMatchObject({ sold: 2 });
  });

  it('is not parsed as a product id, and rejects bad parameters with a 400', async () => {
    expect((await get('/products/top')).statusCode).toBe(200);
    for (const [query, message] of [
      ['n=0', /n must be an integer between 1 and 50/],
      ['n=51', /n must be an integer between 1 and 50/],
      ['n=ten', /n must be an integer/],
      ['window=week', /window must be one of all, hour/],
    ] as const) {
      const res = await get(`/products/top?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(message);
    }
  });
});
