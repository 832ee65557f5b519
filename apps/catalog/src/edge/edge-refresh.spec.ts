import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsService } from '@sdp/observability';
import { EdgeRefresher } from './edge-refresh';
import { edgeRefreshToken } from '@sdp/identity';
import { edgeRefreshSettings } from './edge-refresh.config';

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

  const metrics = new MetricsService();
  const refresherFor = (settings: {
    EDGE_URL?: string;
    EDGE_URLS?: string[];
    INTERNAL_AUTH_SECRET: string;
  }) => new EdgeRefresher(edgeRefreshSettings(settings), metrics);

  it('refreshes the product and one listing at the edge with the token and the request id', async () => {
    await refresherFor({ EDGE_URL: edgeUrl, INTERNAL_AUTH_SECRET: SECRET }).refreshProduct(7, 'rid-7');
    expect(seen.map((s) => s.url).sort()).toEqual(['/api/products', '/api/products/7']);
    for (const s of seen) {
      expect(s.headers['x-cache-refresh']).toBe(edgeRefreshToken(SECRET));
      expect(s.headers['x-request-id']).toBe('rid-7');
    }
  });

  it('refreshes every regional edge, each once', async () => {
    await refresherFor({
      EDGE_URL: edgeUrl,
      EDGE_URLS: [`${edgeUrl}/`, edgeUrl.replace('127.0.0.1', 'localhost')],
      INTERNAL_AUTH_SECRET: SECRET,
    }).refreshProduct(9, undefined);
    expect(seen.map((s) => `${s.headers.host} ${s.url}`).sort()).toEqual(
      [
        `${new URL(edgeUrl).host} /api/products`,
        `${new URL(edgeUrl).host} /api/products/9`,
        `localhost:${new URL(edgeUrl).port} /api/products`,
        `localhost:${new URL(edgeUrl).port} /api/products/9`,
      ].sort(),
    );
  });

  it('does not throw when the edge fails or is unreachable (the TTL bounds staleness)', async () => {
    status = 502;
    await expect(
      refresherFor({ EDGE_URL: edgeUrl, INTERNAL_AUTH_SECRET: SECRET }).refreshProduct(7, undefined),
    ).resolves.toBeUndefined();
    expect(seen).toHaveLength(2);
    await expect(
      refresherFor({ EDGE_URL: 'http://127.0.0.1:1', INTERNAL_AUTH_SECRET: SECRET }).refreshProduct(
        7,
        undefined,
      ),
    ).resolves.toBeUndefined();
  });

  it('sends nothing without EDGE_URL', async () => {
    await refresherFor({ INTERNAL_AUTH_SECRET: SECRET }).refreshProduct(7, 'rid-7');
    expect(seen).toHaveLength(0);
  });
});

describe(edgeRefreshSettings.name, () => {
  it('derives its token from the internal secret and normalises the edge URL', () => {
    expect(edgeRefreshSettings({ EDGE_URL: 'http://x', INTERNAL_AUTH_SECRET: SECRET }).token).toBe(
      edgeRefreshToken(SECRET),
    );
    expect(
      edgeRefreshSettings({ EDGE_URL: 'http://127.0.0.1:8080/', INTERNAL_AUTH_SECRET: SECRET }).edgeUrls,
    ).toEqual(['http://127.0.0.1:8080']);
  });
});
