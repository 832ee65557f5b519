import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProductUpdated } from '@sdp/contracts';
import { Consumers, NonRetryableError } from '@sdp/messaging';
import { MetricsService } from '@sdp/observability';
import { EdgeRefresher } from './edge-refresh';
import { edgeRefreshToken } from '@sdp/identity';
import { loadEdgeRefreshConfig } from './edge-refresh.config';

const SECRET = '0123456789abcdef0123456789abcdef';

describe(EdgeRefresher.name, () => {
  let server: http.Server;
  let edgeUrl: string;
  const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
  let status = 200;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(status, { 'x-cache-status': 'BYPASS' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    edgeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    status = 200;
  });

  const declared: unknown[] = [];
  const consumers = { declare: (options: unknown) => declared.push(options) } as unknown as Consumers;
  const metrics = new MetricsService();
  const event = ProductUpdated.create(
    '7',
    {
      id: 7,
      sku: 'SKU-000007',
      name: 'n',
      description: 'd',
      priceCents: 100,
      changed: ['priceCents'],
      updatedAt: new Date().toISOString(),
    },
    'rid-7',
  );

  it('refreshes the product and one listing at the edge with the token and the request id', async () => {
    const refresher = new EdgeRefresher(
      consumers,
      loadEdgeRefreshConfig({ EDGE_URL: edgeUrl, INTERNAL_AUTH_SECRET: SECRET }),
      metrics,
    );
    refresher.onModuleInit();
    expect(declared).toHaveLength(1);
    await refresher.handle(event);
    expect(seen.map((s) => s.url).sort()).toEqual(['/api/products', '/api/products/7']);
    for (const s of seen) {
      expect(s.headers['x-cache-refresh']).toBe(edgeRefreshToken(SECRET));
      expect(s.headers['x-request-id']).toBe('rid-7');
    }
  });

  it('does not throw when the edge fails (the TTL bounds staleness), and rejects a malformed event for the DLQ', async () => {
    status = 502;
    const refresher = new EdgeRefresher(
      consumers,
      loadEdgeRefreshConfig({ EDGE_URL: edgeUrl, INTERNAL_AUTH_SECRET: SECRET }),
      metrics,
    );
    await expect(refresher.handle(event)).resolves.toBeUndefined();
    const down = new EdgeRefresher(
      consumers,
      loadEdgeRefreshConfig({ EDGE_URL: 'http://127.0.0.1:1', INTERNAL_AUTH_SECRET: SECRET }),
      metrics,
    );
    await expect(down.handle(event)).resolves.toBeUndefined();
    await expect(refresher.handle({ ...event, data: { id: 'x' } })).rejects.toBeInstanceOf(NonRetryableError);
  });

  it('declares no consumer without EDGE_URL', () => {
    declared.length = 0;
    new EdgeRefresher(consumers, loadEdgeRefreshConfig({}), metrics).onModuleInit();
    expect(declared).toHaveLength(0);
  });
});

describe('edge refresh config', () => {
  it('derives its token from the internal secret and normalises the edge URL', () => {
    expect(loadEdgeRefreshConfig({ EDGE_URL: 'http://x', INTERNAL_AUTH_SECRET: SECRET }).token).toBe(
      edgeRefreshToken(SECRET),
    );
    expect(loadEdgeRefreshConfig({ EDGE_URL: 'http://127.0.0.1:8080/' }).edgeUrl).toBe(
      'http://127.0.0.1:8080',
    );
  });

  it('names a bad variable', () => {
    expect(() => loadEdgeRefreshConfig({ EDGE_URL: 'not a url' })).toThrow(/EDGE_URL/);
    expect(() => loadEdgeRefreshConfig({ INTERNAL_AUTH_SECRET: 'short' })).toThrow(/INTERNAL_AUTH_SECRET/);
  });
});
