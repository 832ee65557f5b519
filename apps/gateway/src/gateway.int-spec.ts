import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { identityHeaders, verifyIdentity } from '@sdp/identity';
import {
  startDisposableRedis,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  testSchema,
  uniqueName,
  waitFor,
} from '@sdp/testing';
import { SignJWT } from 'jose';
import { echo, FakeUpstream, slow, status } from '../test/support/fake-upstream';
import { createGatewayApp } from './app';
import { loadGatewayConfig } from './config';

// Two gateway replicas in-process, listening on real ports, against the real Postgres and Redis and
// a fake lb (a real HTTP server that records what it receives and fails or stalls on demand).
const schema = testSchema('gateway');
const rateLimitPrefix = uniqueName('gateway_rl');
const JWT_SECRET = 'gateway-int-jwt-secret-0123456789abcdef';
const DEMO_PASSWORD = 'demo-password-int';
const WINDOW_SECONDS = 2;

const upstream = new FakeUpstream();
/** Response bodies are JSON the tests inspect loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

async function startReplica(index: number, overrides: Record<string, string> = {}) {
  const config = loadGatewayConfig({
    ...testInfraEnv(),
    DB_SCHEMA: schema.name,
    DB_POOL_SIZE: '4',
    INSTANCE_ID: `gateway-int-${index}`,
    LOG_LEVEL: 'silent',
    UPSTREAM_BASE_URL: upstream.url,
    INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
    JWT_SECRET,
    DEMO_PASSWORD,
    RATE_LIMIT_KEY_PREFIX: rateLimitPrefix,
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    RATE_LIMIT_PER_MINUTE: '1000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    CHECKOUT_RATE_LIMIT_PER_MINUTE: '3',
    UPSTREAM_TIMEOUT_MS: '300',
    CHECKOUT_TIMEOUT_MS: '2000',
    BREAKER_VOLUME_THRESHOLD: '3',
    BREAKER_ERROR_THRESHOLD_PERCENT: '50',
    BREAKER_RESET_TIMEOUT_MS: '1000',
    ...overrides,
  });
  const app = await createGatewayApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: await app.getUrl() };
}

describe('gateway (integration)', () => {
  const replicas: { app: NestFastifyApplication; url: string }[] = [];
  const call = (replica: number, path: string, init: RequestInit = {}) =>
    fetch(`${replicas[replica].url}${path}`, init);
  const login = async (email: string, password = DEMO_PASSWORD, replica = 0) => {
    const res = await call(replica, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    return { res, body: await json(res) };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  let alice: { token: string; id: string };
  let admin: { token: string; id: string };

  beforeAll(async () => {
    await upstream.start();
    replicas.push(await startReplica(1));
    replicas.push(await startReplica(2));
    const a = (await login('alice@example.com')).body;
    alice = { token: a.accessToken, id: a.user.id };
    const b = (await login('admin@example.com')).body;
    admin = { token: b.accessToken, id: b.user.id };
  });

  afterAll(async () => {
    await Promise.all(replicas.map(({ app }) => app.close()));
    await upstream.stop();
    await schema.drop();
  });

  beforeEach(() => upstream.reset());

  describe('auth', () => {
    it('logs a seeded user in with a short-lived JWT carrying sub, role and email', async () => {
      const { res, body } = await login('Bob@Example.com', DEMO_PASSWORD, 1);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(body).toMatchObject({
        expiresIn: 900,
        tokenType: 'Bearer',
        user: { email: 'bob@example.com', name: 'Bob', role: 'customer', id: expect.any(String) },
      });
      const claims = JSON.parse(Buffer.from(body.accessToken.split('.')[1], 'base64url').toString());
      expect(claims).toMatchObject({ sub: body.user.id, role: 'customer', email: 'bob@example.com' });
      expect(claims.exp - claims.iat).toBe(900);
      expect((await login('customer600@example.com')).res.status).toBe(200);
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const wrong = await login('alice@example.com', 'not-the-password');
      const unknown = await login('nobody@example.com', 'not-the-password');
      expect([wrong.res.status, unknown.res.status]).toEqual([401, 401]);
      expect(wrong.body.message).toBe('invalid email or password');
      expect(unknown.body.message).toBe(wrong.body.message);
      expect(unknown.body).toMatchObject({
        statusCode: 401,
        error: 'Unauthorized',
        requestId: expect.any(String),
      });
    });

    it('registers a customer once (409 for the same email in any case), who can then log in', async () => {
      const email = `${uniqueName('new')}@Example.com`;
      const register = (replica: number, address: string) =>
        call(replica, '/api/auth/register', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: address, password: 'correct horse', name: ' Newcomer ' }),
        });
      const created = await register(0, email);
      expect(created.status).toBe(201);
      const user = await json(created);
      expect(user).toEqual({
        id: expect.any(String),
        email: email.toLowerCase(),
        name: 'Newcomer',
        role: 'customer',
      });
      const again = await register(1, email.toUpperCase());
      expect(again.status).toBe(409);
      expect((await json(again)).message).toBe(`email ${email.toLowerCase()} is already registered`);
      const { res, body } = await login(email.toLowerCase(), 'correct horse', 1);
      expect(res.status).toBe(200);
      expect(body.user.id).toBe(user.id);
    });

    it.each([
      [
        'a bad email',
        { email: 'not-an-email', password: 'long enough', name: 'X' },
        /email must be a valid email/,
      ],
      [
        'a short password',
        { email: 'short@example.com', password: 'short', name: 'X' },
        /password must be at least 8/,
      ],
      [
        'an empty name',
        { email: 'empty@example.com', password: 'long enough', name: '  ' },
        /name must be 1 to 100/,
      ],
      [
        'a long name',
        { email: 'long@example.com', password: 'long enough', name: 'x'.repeat(101) },
        /name must be 1 to 100/,
      ],
      [
        'an unknown field',
        { email: 'r@example.com', password: 'long enough', name: 'X', role: 'admin' },
        /property role should not exist/,
      ],
    ])('rejects registration with %s (400 naming it, nothing stored)', async (_case, body, message) => {
      const res = await call(0, '/api/auth/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect((await json(res)).message).toMatch(message);
      expect((await login(body.email, body.password)).res.status).toBe(401);
    });
  });

  describe('proxying', () => {
    it('forwards a signed-in request with a verifiable signed identity and private caching', async () => {
      const res = await call(1, '/api/cart', {
        headers: { ...bearer(alice.token), 'x-request-id': 'gw-int-cart-1' },
      });
      expect(res.status).toBe(200);
      const seen = upstream.last('/orders/cart')!;
      expect(seen.method).toBe('GET');
      expect(verifyIdentity(seen.headers, TEST_INTERNAL_AUTH_SECRET)).toEqual({
        ok: true,
        identity: { userId: alice.id, role: 'customer' },
      });
      expect(seen.headers['x-request-id']).toBe('gw-int-cart-1');
      expect(seen.headers.authorization).toBeUndefined();
      expect(res.headers.get('x-request-id')).toBe('gw-int-cart-1');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      expect(res.headers.get('x-instance-id')).toBe('fake-service-1');
      expect(res.headers.get('x-gateway-instance')).toBe('gateway-int-2');
      expect(res.headers.get('ratelimit-limit')).toBe('1000');
    });

    it('strips identity headers a client tries to forge', async () => {
      const forged = {
        [identityHeaders.userId]: 'someone-else',
        [identityHeaders.role]: 'admin',
        [identityHeaders.issuedAt]: String(Date.now()),
        [identityHeaders.signature]: 'forged',
        'x-identity-extra': 'x',
        cookie: 'session=1',
      };
      await call(0, '/api/products/7', { headers: forged });
      const anonymous = upstream.last('/catalog/products/7')!;
      for (const name of Object.keys(forged)) expect(anonymous.headers[name]).toBeUndefined();

      await call(0, '/api/orders', { headers: { ...forged, ...bearer(alice.token) } });
      const signed = upstream.last('/orders/orders')!;
      expect(signed.headers[identityHeaders.userId]).toBe(alice.id);
      expect(signed.headers[identityHeaders.role]).toBe('customer');
      expect(verifyIdentity(signed.headers, TEST_INTERNAL_AUTH_SECRET).ok).toBe(true);
    });

    it('keeps the origin Cache-Control on public reads, forwards the query, and generates a request id', async () => {
      const res = await call(0, '/api/products?page=2&limit=5&q=lamp');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=30');
      expect(res.headers.get('x-cache')).toBe('MISS');
      // The edge may serve this copy to anyone: no caller's quota travels with it.
      expect(res.headers.get('ratelimit-limit')).toBeNull();
      expect(res.headers.get('ratelimit-remaining')).toBeNull();
      const seen = upstream.last('/catalog/products')!;
      expect(seen.url).toBe('/catalog/products?page=2&limit=5&q=lamp');
      expect(seen.headers['x-request-id']).toBe(res.headers.get('x-request-id'));
      expect(seen.headers[identityHeaders.userId]).toBeUndefined();
    });

    it('forwards an admin write with its body, Idempotency-Key and content type to the rewritten path', async () => {
      const res = await call(0, '/api/admin/products/21', {
        method: 'PUT',
        headers: { ...bearer(admin.token), 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        body: JSON.stringify({ priceCents: 999 }),
      });
      expect(res.status).toBe(200);
      const seen = upstream.last('/catalog/products/21')!;
      expect(seen).toMatchObject({ method: 'PUT', body: '{"priceCents":999}' });
      expect(seen.headers['content-type']).toBe('application/json');
      expect(seen.headers['idempotency-key']).toBe('k-1');
      expect(verifyIdentity(seen.headers, TEST_INTERNAL_AUTH_SECRET)).toMatchObject({
        identity: { userId: admin.id, role: 'admin' },
      });
    });

    it('relays an upstream 4xx as it is', async () => {
      upstream.on(
        '/orders/orders/',
        status(404, { statusCode: 404, error: 'Not Found', message: 'order x not found' }),
      );
      const res = await call(0, '/api/orders/123e4567-e89b-12d3-a456-426614174000', {
        headers: bearer(alice.token),
      });
      expect(res.status).toBe(404);
      expect((await json(res)).message).toBe('order x not found');
    });
  });

  describe('authentication and authorisation', () => {
    const expired = () =>
      new SignJWT({ role: 'customer', email: 'alice@example.com' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(alice.id)
        .setIssuer('sdp-gateway')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3_600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(JWT_SECRET));

    it('answers 401 with a message saying what is wrong with the token, and forwards nothing', async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [{}, /missing access token/],
        [bearer('not.a.jwt'), /invalid access token/],
        [bearer(await expired()), /access token expired/],
        [bearer(alice.token.slice(0, -2) + 'xx'), /invalid access token/],
      ];
      for (const [headers, message] of cases) {
        const res = await call(0, '/api/cart', { headers });
        expect(res.status).toBe(401);
        expect(await json(res)).toMatchObject({
          statusCode: 401,
          error: 'Unauthorized',
          message: expect.stringMatching(message),
        });
      }
      expect(upstream.requests).toHaveLength(0);
    });

    it('answers 403 to a customer on an admin route', async () => {
      for (const [method, path, pattern] of [
        ['PUT', '/api/admin/products/1', '/api/admin/products/:id'],
        ['PUT', '/api/admin/stock/SKU-000001', '/api/admin/stock/:sku'],
        ['GET', '/api/admin/psp', '/api/admin/psp'],
        ['POST', '/api/admin/sweeper/run', '/api/admin/sweeper/run'],
      ]) {
        const res = await call(1, path, {
          method,
          headers: { ...bearer(alice.token), 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        });
        expect(res.status).toBe(403);
        expect((await json(res)).message).toBe(`${method} ${pattern} requires role admin`);
      }
      expect(upstream.requests).toHaveLength(0);
    });

    it('answers unknown /api paths with 404, wrong methods with 405, unsafe parameters with 400', async () => {
      const missing = await call(0, '/api/nope', { headers: { 'x-request-id': 'gw-404' } });
      expect(missing.status).toBe(404);
      expect(await json(missing)).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'no route for GET /api/nope',
        requestId: 'gw-404',
      });
      const wrongMethod = await call(0, '/api/products/1', { method: 'DELETE' });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('GET');
      const traversal = await call(0, '/api/products/..%2F..%2Forders%2Fcart');
      expect(traversal.status).toBe(400);
      expect(upstream.requests).toHaveLength(0);
    });
  });

  describe('rate limiting', () => {
    it('shares the checkout limit across both replicas: 429 with Retry-After, then recovers after the window', async () => {
      upstream.on('/orders/checkout', status(202, { orderId: 'o-1', status: 'PENDING_PAYMENT' }));
      const checkout = (replica: number) =>
        call(replica, '/api/checkout', {
          method: 'POST',
          headers: {
            ...bearer(alice.token),
            'content-type': 'application/json',
            'idempotency-key': uniqueName('k'),
          },
          body: '{}',
        });
      const statuses: number[] = [];
      const remaining: (string | null)[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 6 && !refused; i++) {
        const res = await checkout(i % 2);
        statuses.push(res.status);
        remaining.push(res.headers.get('ratelimit-remaining'));
        if (res.status === 429) refused = res;
      }
      console.log(
        `checkout statuses across replicas: ${statuses.join(' ')}; remaining: ${remaining.join(' ')}`,
      );
      // A fresh key: its window starts with the first request, and the loop takes far less than 2 s.
      expect(statuses).toEqual([202, 202, 202, 429]);
      expect(remaining).toEqual(['2', '1', '0', '0']);
      const retryAfter = Number(refused!.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
      expect(refused!.headers.get('ratelimit-limit')).toBe('3');
      expect(refused!.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused!.headers.get('ratelimit-reset')).toBe(String(retryAfter));
      expect(await json(refused!)).toMatchObject({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/rate limit of 3 requests per 2 s exceeded/),
      });
      expect(upstream.requests.filter((r) => r.url === '/orders/checkout')).toHaveLength(3);
      const recovered = await waitFor(async () => ((await checkout(1)).status === 202 ? true : undefined), {
        timeoutMs: (WINDOW_SECONDS + 2) * 1000,
        intervalMs: 250,
        what: 'the checkout limit to reset',
      });
      expect(recovered).toBe(true);
    });

    it('counts anonymous callers by the client address the edge put in X-Forwarded-For', async () => {
      const prefix = uniqueName('gw_ip');
      const strict = await startReplica(3, { RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_KEY_PREFIX: prefix });
      try {
        const get = (forwardedFor: string) =>
          fetch(`${strict.url}/api/products/1`, { headers: { 'x-forwarded-for': forwardedFor } });
        // The client's own entries (left) are ignored: only the last hop, written by the edge, counts.
        const a = [
          await get('1.1.1.1, 203.0.113.7'),
          await get('9.9.9.9, 203.0.113.7'),
          await get('203.0.113.7'),
        ];
        expect(a.map((r) => r.status)).toEqual([200, 200, 429]);
        expect((await get('203.0.113.8')).status).toBe(200);
      } finally {
        await strict.app.close();
      }
    });

    it('fails open when Redis is down: requests pass without RateLimit headers, counted in a metric', async () => {
      const redis = await startDisposableRedis();
      const lonely = await startReplica(4, { REDIS_CACHE_URL: redis.url });
      // An answer no shared cache may keep, so it carries the RateLimit headers while Redis is up.
      upstream.on('/catalog/products/1', status(200, { id: 1 }));
      try {
        expect((await fetch(`${lonely.url}/api/products/1`)).headers.get('ratelimit-limit')).toBe('1000');
        await redis.kill();
        const res = await fetch(`${lonely.url}/api/products/1`);
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-limit')).toBeNull();
        const metrics = await (await fetch(`${lonely.url}/metrics`)).text();
        expect(metrics).toMatch(/gateway_rate_limit_store_errors_total\{class="default"\} [1-9]/);
      } finally {
        await lonely.app.close();
      }
    });
  });

  describe('timeouts and the circuit breaker', () => {
    it('opens the breaker after upstream 5xx answers, fails fast with 503 + Retry-After, then recovers half-open', async () => {
      upstream.on('/inventory', status(500));
      const stock = () => call(0, '/api/stock/SKU-000001');
      const failures = [await stock(), await stock(), await stock()];
      expect(failures.map((r) => r.status)).toEqual([500, 500, 500]); // relayed as the service gave them
      const sent = upstream.requests.length;

      const started = Date.now();
      const fast = await stock();
      const elapsed = Date.now() - started;
      console.log(`circuit open: answered 503 in ${elapsed} ms without calling inventory`);
      expect(fast.status).toBe(503);
      expect(fast.headers.get('retry-after')).toBe('1');
      expect(await json(fast)).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'inventory is unavailable (circuit open); retry in 1 s',
        requestId: expect.any(String),
      });
      expect(upstream.requests.length).toBe(sent);
      expect(await (await call(0, '/metrics')).text()).toMatch(
        /gateway_circuit_state\{upstream="inventory"\} 2/,
      );
      // Other upstreams are not affected.
      expect((await call(0, '/api/products/1')).status).toBe(200);

      upstream.on('/inventory', echo);
      await waitFor(async () => ((await stock()).status === 200 ? true : undefined), {
        timeoutMs: 5_000,
        intervalMs: 200,
        what: 'the inventory circuit to close again',
      });
      expect(await (await call(0, '/metrics')).text()).toMatch(
        /gateway_circuit_state\{upstream="inventory"\} 0/,
      );
    });

    it('does not count 4xx answers as failures', async () => {
      upstream.on('/inventory', status(404));
      for (let i = 0; i < 5; i++) expect((await call(1, '/api/stock/SKU-000404')).status).toBe(404);
      expect(upstream.requests).toHaveLength(5);
    });

    it('answers 504 when the upstream does not answer within the route timeout', async () => {
      upstream.on('/payments', slow(1_500));
      const started = Date.now();
      const res = await call(1, '/api/admin/psp', { headers: bearer(admin.token) });
      const elapsed = Date.now() - started;
      console.log(`timeout: 504 after ${elapsed} ms (UPSTREAM_TIMEOUT_MS=300)`);
      expect(res.status).toBe(504);
      expect(await json(res)).toMatchObject({
        statusCode: 504,
        error: 'Gateway Timeout',
        message: 'payments did not answer within 300 ms',
      });
      expect(elapsed).toBeLessThan(800);
    });

    it('answers 502 when the upstream cannot be reached', async () => {
      upstream.on('/notifications', (_req, res) => void res.socket?.destroy());
      const res = await call(0, '/api/notifications', { headers: bearer(alice.token) });
      expect(res.status).toBe(502);
      expect((await json(res)).message).toMatch(/^notifications is unreachable/);
    });
  });

  describe('server-sent events', () => {
    it('streams an event before the upstream response ends, with the token from ?access_token=', async () => {
      let upstreamClosed = false;
      upstream.on('/notifications/notifications/stream', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('id: 1\nevent: order.confirmed\ndata: {"orderId":"o-1"}\n\n');
        res.on('close', () => (upstreamClosed = true)); // never ended by the server
      });
      const controller = new AbortController();
      const res = await call(1, `/api/notifications/stream?access_token=${alice.token}&x=1`, {
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      expect(res.headers.get('x-accel-buffering')).toBe('no');
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      expect(Buffer.from(value as Uint8Array).toString()).toContain('event: order.confirmed');

      const seen = upstream.last('/notifications/notifications/stream')!;
      expect(seen.url).toBe('/notifications/notifications/stream?x=1'); // the token does not travel further
      expect(verifyIdentity(seen.headers, TEST_INTERNAL_AUTH_SECRET)).toMatchObject({
        identity: { userId: alice.id },
      });

      controller.abort();
      await waitFor(() => upstreamClosed, {
        timeoutMs: 3_000,
        what: 'the upstream stream to close after the client left',
      });
    });

    it('accepts ?access_token= on the stream route only', async () => {
      const res = await call(0, `/api/cart?access_token=${alice.token}`);
      expect(res.status).toBe(401);
    });
  });

  describe('operations', () => {
    it('is ready when Postgres, Redis and the lb answer, and serves its OpenAPI document', async () => {
      const ready = await call(0, '/ready');
      expect(await json(ready)).toMatchObject({
        status: 'ready',
        checks: {
          postgres: { status: 'up' },
          'redis-cache': { status: 'up' },
          'upstream-lb': { status: 'up' },
        },
      });
      const doc = await call(1, '/api/openapi.json');
      expect(doc.status).toBe(200);
      expect((await json(doc)).paths['/api/checkout'].post).toBeDefined();
    });

    it('counts proxied requests per route-table entry and status', async () => {
      await call(0, '/api/products/3');
      const metrics = await (await call(0, '/metrics')).text();
      expect(metrics).toMatch(
        /gateway_requests_total\{route="GET \/api\/products\/:id",upstream="catalog",status="200"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /gateway_requests_total\{route="GET \/api\/cart",upstream="orders",status="401"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /gateway_upstream_duration_seconds_count\{upstream="catalog",outcome="2xx"\} [1-9]/,
      );
    });
  });
});
