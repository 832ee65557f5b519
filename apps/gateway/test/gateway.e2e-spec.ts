import path from 'node:path';
import { verifyIdentity } from '@sdp/identity';
import {
  freePort,
  spawnService,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  testSchema,
  uniqueName,
  waitUntilReady,
  type ServiceProcess,
} from '@sdp/testing';
import { FakeUpstream } from './support/fake-upstream';

// The gateway as `pnpm stack` runs it: the built app (`pnpm build`) as a real process, over real
// HTTP, against the local Postgres and Redis, with a fake lb behind it.
const main = path.join(__dirname, '../dist/main.js');
const schema = testSchema('gateway_e2e');
const DEMO_PASSWORD = 'demo-password-e2e';

describe('gateway service (e2e, real process over HTTP)', () => {
  const upstream = new FakeUpstream();
  let gateway: ServiceProcess;

  const start = async (name: string) => {
    const replica = spawnService(name, main, {
      ...testInfraEnv(),
      PORT: String(await freePort()),
      INSTANCE_ID: name,
      DB_SCHEMA: schema.name,
      UPSTREAM_BASE_URL: upstream.url,
      INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
      JWT_SECRET: 'gateway-e2e-jwt-secret-0123456789abcdef',
      DEMO_PASSWORD,
      RATE_LIMIT_KEY_PREFIX: uniqueName('gateway_e2e'),
      LOG_LEVEL: 'warn',
    });
    await waitUntilReady(replica, 30_000);
    return replica;
  };

  beforeAll(async () => {
    await upstream.start();
    gateway = await start('gateway-e2e-1');
  });

  afterAll(async () => {
    await gateway.stop();
    await upstream.stop();
    await schema.drop();
  });

  it('refuses to start without its secrets and demo password, naming every bad variable', async () => {
    const bad = spawnService('gateway-bad-config', main, { ...testInfraEnv(), JWT_SECRET: 'short' });
    await expect(bad.exited()).resolves.toBe(1);
    for (const variable of ['UPSTREAM_BASE_URL', 'INTERNAL_AUTH_SECRET', 'JWT_SECRET', 'DEMO_PASSWORD']) {
      expect(bad.output()).toContain(`${variable}:`);
    }
  });

  it('logs a demo user in and proxies a signed-in request with a signed identity', async () => {
    const login = await fetch(`${gateway.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { accessToken, user } = (await login.json()) as { accessToken: string; user: { id: string } };
    const cart = await fetch(`${gateway.url}/api/cart`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(cart.status).toBe(200);
    expect(cart.headers.get('x-gateway-instance')).toBe('gateway-e2e-1');
    expect(cart.headers.get('ratelimit-limit')).toBe('300');
    expect(verifyIdentity(upstream.last('/orders/cart')!.headers, TEST_INTERNAL_AUTH_SECRET)).toEqual({
      ok: true,
      identity: { userId: user.id, role: 'customer' },
    });
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const other = await start('gateway-e2e-2');
    await expect(other.stop()).resolves.toBe(0);
  });
});
