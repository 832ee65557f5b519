import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { StockChanged } from '@sdp/contracts';
import { EventPublisher, Topics } from '@sdp/messaging';
import { asUser, testSchema, uniqueName, waitFor } from '@sdp/testing';
import { startCatalogApp } from '../../test/support/catalog-app';

// stock.changed -> availability on product reads, on two replicas, through real Kafka and Redis; and
// the staleness window (change -> every replica answers the new value), measured and printed.
const schema = testSchema('catalog_av');
const cachePrefix = uniqueName('catalog_av');
const topicPrefix = `${uniqueName('t')}.`;

const startReplica = (index: number, edgeUrl: string) =>
  startCatalogApp({
    DB_SCHEMA: schema.name,
    CACHE_KEY_PREFIX: cachePrefix,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    INSTANCE_ID: `catalog-av-${index}`,
    EDGE_URL: edgeUrl,
  });

describe('availability and staleness (integration)', () => {
  const replicas: NestFastifyApplication[] = [];
  // A stand-in for the nginx edge: records the refresh requests the catalog sends it.
  let edge: http.Server;
  const refreshes: { path: string; at: number; token: boolean }[] = [];
  const edgeRefreshed = (path: string, since: number) =>
    waitFor(() => refreshes.find((r) => r.path === path && r.at >= since && r.token), {
      timeoutMs: 20_000,
      what: `edge refresh of ${path}`,
    });
  const get = (url: string, replica = 0) => replicas[replica].inject({ method: 'GET', url });
  const stockChanged = (sku: string, available: number) =>
    replicas[0]
      .get(EventPublisher)
      .publish(
        replicas[0].get(Topics).name(StockChanged.type),
        StockChanged.create(
          sku,
          { sku, onHand: available, reserved: 0, sold: 0, available },
          uniqueName('req'),
        ),
      );
  /** Polls every replica until all answer `fresh` for the product; returns the elapsed milliseconds. */
  const untilEveryReplica = async (
    id: number,
    fresh: (body: Record<string, unknown>) => boolean,
    since: number,
  ) => {
    await waitFor(
      async () => {
        const bodies = await Promise.all(replicas.map((_, i) => get(`/products/${id}`, i)));
        return bodies.every((res) => fresh(res.json()));
      },
      { timeoutMs: 20_000, what: `product ${id} fresh on every replica`, intervalMs: 5 },
    );
    return Date.now() - since;
  };

  beforeAll(async () => {
    edge = http.createServer((req, res) => {
      refreshes.push({ path: req.url ?? '', at: Date.now(), token: Boolean(req.headers['x-cache-refresh']) });
      res.end('{}');
    });
    await new Promise<void>((resolve) => edge.listen(0, '127.0.0.1', resolve));
    const edgeUrl = `http://127.0.0.1:${(edge.address() as AddressInfo).port}`;
    replicas.push(await startReplica(1, edgeUrl), await startReplica(2, edgeUrl));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    await new Promise<void>((resolve) => edge.close(() => resolve()));
    await schema.drop();
  });

  it('shows availability from stock.changed on both replicas without dropping the cached product', async () => {
    expect((await get('/products/5')).json().available).toBeUndefined(); // inventory has not reported it
    expect((await get('/products/5', 1)).headers['x-cache']).toBe('HIT');
    const started = Date.now();
    await stockChanged('SKU-000005', 7);
    const ms = await untilEveryReplica(5, (p) => p.available === 7, started);
    const edgeMs = (await edgeRefreshed('/api/products/5', started)).at - started;
    console.log(
      `staleness, stock.changed -> both replicas show the new availability: ${ms} ms (via Kafka); edge refresh sent after ${edgeMs} ms`,
    );
    const res = await get('/products/5', 1);
    expect(res.headers['x-cache']).toBe('HIT'); // the product entry stayed; availability is laid over it
    expect(res.json()).toMatchObject({ id: 5, sku: 'SKU-000005', available: 7 });
  });

  it('keeps in-stock and category sets; "in stock in a category" is one SINTER', async () => {
    const audio = (await get('/products?category=audio&limit=3&sort=name')).json().items as { sku: string }[];
    const [a, b, c] = audio.map((p) => p.sku);
    await stockChanged(a, 3);
    await stockChanged(b, 0);
    await stockChanged(c, 1);
    await stockChanged(c, 1); // a redelivery applies the same absolute numbers again: harmless
    await waitFor(async () => (await get('/products/in-stock?category=audio')).json().skus.length === 2, {
      timeoutMs: 20_000,
      what: 'two audio SKUs in stock',
    });
    const res = await get('/products/in-stock?category=audio');
    expect(res.json()).toEqual({ category: 'audio', skus: [a, c].sort() });
    expect(res.headers['cache-control']).toMatch(/s-maxage=5/);
    expect((await get('/products/in-stock')).json().skus).toEqual(
      expect.arrayContaining([a, c, 'SKU-000005']),
    );
    const bad = await get('/products/in-stock?category=Not%20A%20Slug');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/category must be a category slug/);
  });

  it('measures the staleness window of a product change (write-around) across both replicas', async () => {
    await Promise.all([get('/products/6'), get('/products/6', 1)]); // both warm with the old value
    const started = Date.now();
    const res = await replicas[0].inject({
      method: 'PUT',
      url: '/products/6',
      payload: JSON.stringify({ priceCents: 6_543 }),
      headers: { 'content-type': 'application/json', ...asUser('admin-1', 'admin') },
    });
    expect(res.statusCode).toBe(200);
    const ms = await untilEveryReplica(6, (p) => p.priceCents === 6_543, started);
    const edgeMs = (await edgeRefreshed('/api/products/6', started)).at - started;
    console.log(
      `staleness, product change (write-around) -> both replicas fresh: ${ms} ms (the DEL is in the request); ` +
        `edge refresh sent after ${edgeMs} ms (product.updated via Kafka)`,
    );
    expect(ms).toBeLessThan(1_000);
  });
});
