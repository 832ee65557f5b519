import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from '@sdp/testing';
import { startFakeOrigin, type FakeOrigin } from './fake-origin';
import { request } from './http-client';
import { startNginx, type NginxInstance } from './nginx-process';
import { edgeRefreshToken } from './render';

// The edge (CDN emulator), real nginx in front of a fake gateway whose answers the tests choose.

const TOKEN = edgeRefreshToken('edge-test-secret-that-is-long-enough-0123');
const PUBLIC = 'public, max-age=0, s-maxage=30, stale-while-revalidate=30, stale-if-error=300';
const OUTSIDE = '127.0.0.2'; // loopback, but not the stack's 127.0.0.1

describe('nginx edge', () => {
  let dir: string;
  let gateway: FakeOrigin;
  let edge: NginxInstance;
  let n = 0;
  /** A fresh URL path per test, so tests never share cache entries. */
  const fresh = (prefix = '/api/things') => `${prefix}/${++n}-${Date.now()}`;
  const get = (p: string, headers: Record<string, string> = {}, localAddress?: string) =>
    request(`${edge.url}${p}`, { headers, localAddress });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-edge-'));
    const web = path.join(dir, 'web');
    fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>shop</title>');
    fs.writeFileSync(path.join(web, 'assets', 'x.js'), 'console.log(1);');
    gateway = await startFakeOrigin('gateway-1');
    edge = await startNginx({
      role: 'edge',
      dir,
      port: await freePort(),
      gateways: [gateway.address],
      refreshToken: TOKEN,
      webRoot: web,
    });
  });

  afterAll(async () => {
    await edge?.stop();
    await gateway?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Polls until the cached entry is no longer fresh (nginx counts whole seconds); returns that response. */
  const untilExpired = async (p: string) => {
    let last = await get(p);
    await waitFor(async () => (last = await get(p)).headers['x-cache-status'] !== 'HIT', {
      timeoutMs: 4_000,
      intervalMs: 100,
      what: `${p} to expire`,
    });
    return last;
  };

  const serve = (p: string, body: string | (() => string), cacheControl = PUBLIC, extra: object = {}) =>
    gateway.routes.set(p, { body, headers: { 'cache-control': cacheControl }, ...extra });

  it('answers MISS first, then HIT from the cache without asking the origin', async () => {
    const p = fresh();
    serve(p, '{"v":1}');
    const first = await get(p);
    const second = await get(p);
    expect([first.status, first.headers['x-cache-status']]).toEqual([200, 'MISS']);
    expect([second.status, second.headers['x-cache-status'], second.body]).toEqual([200, 'HIT', '{"v":1}']);
    expect(gateway.count(`GET ${p}`)).toBe(1);
  });

  it('keys on the query string and ignores the Host header (one entry per site, not per alias)', async () => {
    const p = fresh();
    serve(p, '{}');
    await get(`${p}?a=1`);
    expect((await get(`${p}?a=2`)).headers['x-cache-status']).toBe('MISS');
    expect((await get(`${p}?a=1`, { host: 'localhost:1234' })).headers['x-cache-status']).toBe('HIT');
  });

  it('relays the answer for a URI of several kilobytes (the cache key shares the header buffer)', async () => {
    // 3,442 is what the fuzz tier found (a 502 before proxy_buffer_size 16k).
    for (const length of [3_442, 7_000]) {
      const p = `${fresh('/api/products')}${'a'.repeat(length)}`;
      serve(p, '{"long":true}');
      const res = await get(`${p}?%20%20%20=1e400`);
      expect([length, res.status, res.body]).toEqual([length, 200, '{"long":true}']);
    }
  });

  it('takes the lifetime from s-maxage over max-age, then serves stale once while it refreshes in the background', async () => {
    const p = fresh();
    let version = 1;
    serve(p, () => `{"v":${version}}`, 'public, max-age=600, s-maxage=1, stale-while-revalidate=30');
    expect((await get(p)).headers['x-cache-status']).toBe('MISS');
    version = 2;
    expect((await get(p)).body).toBe('{"v":1}'); // within s-maxage
    // s-maxage=1, not max-age=600: expired within about 2 s (nginx counts whole seconds).
    const stale = await untilExpired(p);
    expect([stale.headers['x-cache-status'], stale.body]).toEqual(['STALE', '{"v":1}']);
    await waitFor(async () => (await get(p)).body === '{"v":2}', {
      timeoutMs: 2_000,
      what: 'refreshed entry',
    });
    const after = await get(p);
    expect([after.headers['x-cache-status'], after.body]).toEqual(['HIT', '{"v":2}']);
    expect(gateway.count(`GET ${p}`)).toBe(2);
  });

  it('does not store no-store, private or no-cache responses, nor those without Cache-Control', async () => {
    for (const cc of ['no-store', 'private, max-age=60', 'no-cache', '']) {
      const p = fresh();
      gateway.routes.set(p, { body: '{}', headers: cc ? { 'cache-control': cc } : {} });
      await get(p);
      await get(p);
      expect(gateway.count(`GET ${p}`)).toBe(2);
    }
  });

  it('collapses 50 concurrent cold reads of one URL into exactly 1 origin request (proxy_cache_lock)', async () => {
    const p = fresh();
    serve(p, '{"hot":true}', PUBLIC, { delayMs: 300 });
    const results = await Promise.all(Array.from({ length: 50 }, () => get(p)));
    const statuses: Record<string, number> = {};
    for (const r of results)
      statuses[String(r.headers['x-cache-status'])] =
        (statuses[String(r.headers['x-cache-status'])] ?? 0) + 1;
    console.log(
      '50 concurrent cold reads, by X-Cache-Status:',
      statuses,
      'origin requests:',
      gateway.count(`GET ${p}`),
    );
    expect(results.every((r) => r.status === 200 && r.body === '{"hot":true}')).toBe(true);
    expect(gateway.count(`GET ${p}`)).toBe(1);
  });

  it('serves STALE for a cached URL when the origin fails, and passes the error on for an uncached one', async () => {
    const cached = fresh();
    serve(cached, '{"old":true}', 'public, s-maxage=1, stale-if-error=300');
    await get(cached);
    gateway.routes.set(cached, { status: 503, body: '{"statusCode":503}' });
    const stale = await untilExpired(cached);
    expect([stale.status, stale.headers['x-cache-status'], stale.body]).toEqual([
      200,
      'STALE',
      '{"old":true}',
    ]);
    const uncached = fresh();
    gateway.routes.set(uncached, { status: 503, body: '{"statusCode":503}' });
    expect((await get(uncached)).status).toBe(503);
  });

  it('never caches a request with Authorization or a cookie, nor a response with Set-Cookie', async () => {
    const p = fresh();
    serve(p, '{"me":true}');
    const withAuth = await get(p, { authorization: 'Bearer abc' });
    expect(withAuth.headers['x-cache-status']).toBe('BYPASS');
    await get(p, { cookie: 'session=1' });
    expect(gateway.count(`GET ${p}`)).toBe(2);
    expect((await get(p)).headers['x-cache-status']).toBe('MISS'); // nothing was stored by those two

    const cached = fresh();
    serve(cached, '{"public":true}');
    await get(cached);
    const personal = await get(cached, { authorization: 'Bearer abc' });
    expect(personal.headers['x-cache-status']).toBe('BYPASS'); // not answered from the shared entry
    expect(gateway.count(`GET ${cached}`)).toBe(2);

    const cookie = fresh();
    serve(cookie, '{}', PUBLIC, { headers: { 'cache-control': PUBLIC, 'set-cookie': 'a=1' } });
    await get(cookie);
    await get(cookie);
    expect(gateway.count(`GET ${cookie}`)).toBe(2);
  });

  it('never caches a POST', async () => {
    const p = fresh();
    serve(p, '{}');
    for (let i = 0; i < 2; i++) await request(`${edge.url}${p}`, { method: 'POST', body: '{}' });
    expect(gateway.count(`POST ${p}`)).toBe(2);
  });

  it('replaces an entry on a refresh from inside the stack; ignores the header from outside or with a wrong token', async () => {
    const p = fresh('/api/products');
    let version = 1;
    serve(p, () => `{"v":${version}}`);
    await get(p);
    version = 2;

    const outside = await get(p, { 'x-cache-refresh': TOKEN }, OUTSIDE);
    const wrong = await get(p, { 'x-cache-refresh': 'not-the-token' });
    expect([outside.headers['x-cache-status'], outside.body]).toEqual(['HIT', '{"v":1}']);
    expect([wrong.headers['x-cache-status'], wrong.body]).toEqual(['HIT', '{"v":1}']);
    expect(gateway.count(`GET ${p}`)).toBe(1);

    const started = Date.now();
    const refresh = await get(p, { 'x-cache-refresh': TOKEN });
    expect([refresh.headers['x-cache-status'], refresh.body]).toEqual(['BYPASS', '{"v":2}']);
    expect(gateway.lastHeaders.get(`GET ${p}`)?.['x-cache-refresh']).toBeUndefined();
    const next = await get(p);
    console.log(`refresh to fresh HIT took ${Date.now() - started} ms`);
    expect([next.headers['x-cache-status'], next.body]).toEqual(['HIT', '{"v":2}']);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('makes every cached listing unreachable when any listing URL is refreshed (catalog version in the key)', async () => {
    let version = 1;
    serve('/api/products', () => `{"items":[{"v":${version}}]}`);
    serve('/api/products/top', () => `{"top":${version}}`);
    const page = `/api/products?page=1&limit=${++n}`;
    const top = `/api/products/top?n=${n}`;
    await get(page);
    await get(top);
    expect((await get(page)).headers['x-cache-status']).toBe('HIT');
    version = 2;

    await get('/api/products', { 'x-cache-refresh': TOKEN }, OUTSIDE); // ignored: outside
    expect((await get(page)).body).toBe('{"items":[{"v":1}]}');

    const before = (await get(page)).headers['x-edge-catalog-version'];
    await get('/api/products', { 'x-cache-refresh': TOKEN });
    const after = await get(page);
    expect(after.headers['x-edge-catalog-version']).not.toBe(before);
    expect([after.headers['x-cache-status'], after.body]).toEqual(['MISS', '{"items":[{"v":2}]}']);
    expect((await get(top)).body).toBe('{"top":2}');
    expect((await get(page)).headers['x-cache-status']).toBe('HIT');
  });

  it("generates a request id when absent, passes the caller's on, and never replays a cached one", async () => {
    const p = fresh();
    serve(p, '{}', PUBLIC, { headers: { 'cache-control': PUBLIC, 'x-request-id': 'from-origin' } });
    const first = await get(p);
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(gateway.lastHeaders.get(`GET ${p}`)?.['x-request-id']).toBe(first.headers['x-request-id']);
    const hit = await get(p, { 'x-request-id': 'caller-2' });
    expect([hit.headers['x-cache-status'], hit.headers['x-request-id']]).toEqual(['HIT', 'caller-2']);
  });

  it('serves hashed assets as immutable for a year and index.html (also the SPA fallback) as no-cache', async () => {
    const asset = await get('/assets/x.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toBe('application/javascript');
    for (const p of ['/', '/products/42']) {
      const page = await get(p);
      expect([page.status, page.headers['cache-control']]).toEqual([200, 'no-cache']);
      expect(page.body).toContain('<title>shop</title>');
    }
    expect((await get('/assets/missing.js')).status).toBe(404);
  });

  it('answers 503 naming the fix, not a 500 loop, when the storefront build is missing', async () => {
    const index = path.join(dir, 'web', 'index.html');
    fs.renameSync(index, `${index}.away`);
    try {
      for (const p of ['/', '/products/42']) {
        const page = await get(p);
        expect([page.status, page.headers['cache-control']]).toEqual([503, 'no-store']);
        expect(page.body).toContain('storefront not built: run `pnpm build`');
      }
    } finally {
      fs.renameSync(`${index}.away`, index);
    }
    expect((await get('/')).status).toBe(200);
  });

  it('streams server-sent events through /api/notifications/stream unbuffered', async () => {
    gateway.routes.set('/api/notifications/stream', {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' },
      stream: 'data: hello\n\n',
    });
    const first = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${edge.url}/api/notifications/stream`, { agent: false }, (res) => {
        res.setEncoding('utf8');
        res.once('data', (chunk: string) => {
          resolve(chunk);
          req.destroy();
        });
      });
      req.on('error', reject);
      req.setTimeout(3_000, () => req.destroy(new Error('no event within 3 s: buffered?')));
    });
    expect(first).toContain('data: hello');
  });

  it('answers 502 for an uncached URL and STALE for a cached one when the gateway is gone', async () => {
    const cached = fresh();
    serve(cached, '{"kept":true}', 'public, s-maxage=1');
    await get(cached);
    await gateway.kill();
    const stale = await untilExpired(cached);
    expect([stale.status, stale.headers['x-cache-status'], stale.body]).toEqual([
      200,
      'STALE',
      '{"kept":true}',
    ]);
    expect((await get(fresh())).status).toBe(502);
  });
});
