import path from 'node:path';
import {
  asUser,
  freePort,
  spawnService,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  testSchema,
  uniqueName,
  waitUntilReady,
  type ServiceProcess,
} from '@sdp/testing';

// The catalog as users run it: the built app (`pnpm build`) as real processes, over real HTTP,
// against the infrastructure from `pnpm infra:up`.
const main = path.join(__dirname, '../dist/main.js');
const schema = testSchema('catalog_e2e');
const cachePrefix = uniqueName('catalog_e2e');

async function startReplica(index: number): Promise<ServiceProcess> {
  const replica = spawnService(`catalog-e2e-${index}`, main, {
    ...testInfraEnv(),
    INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
    PORT: String(await freePort()),
    INSTANCE_ID: `catalog-e2e-${index}`,
    DB_SCHEMA: schema.name,
    CACHE_KEY_PREFIX: cachePrefix,
    LOG_LEVEL: 'warn',
  });
  await waitUntilReady(replica, 30_000);
  return replica;
}

describe('catalog service (e2e, real processes over HTTP)', () => {
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    replicas.push(await startReplica(1));
    replicas.push(await startReplica(2));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await schema.drop();
  });

  it('refuses to start on invalid configuration and names every bad variable', async () => {
    const bad = spawnService('catalog-bad-config', main, {
      PORT: 'http',
      DATABASE_URL: 'mysql://x',
      KAFKA_BROKERS: '',
    });
    await expect(bad.exited()).resolves.toBe(1);
    const output = bad.output();
    for (const variable of [
      'PORT',
      'DATABASE_URL',
      'REDIS_CACHE_URL',
      'KAFKA_BROKERS',
      'INTERNAL_AUTH_SECRET',
    ]) {
      expect(output).toContain(`${variable}:`);
    }
  });

  it('answers health and readiness with real dependency checks', async () => {
    const ready = await fetch(`${replicas[0].url}/ready`);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { postgres: { status: 'up' }, 'redis-cache': { status: 'up' }, kafka: { status: 'up' } },
    });
    expect((await fetch(`${replicas[0].url}/health`)).status).toBe(200);
  });

  it('serves a MISS on one replica and a HIT on the other, naming the instance and echoing the request id', async () => {
    const first = await fetch(`${replicas[0].url}/products/42`, {
      headers: { 'x-request-id': 'e2e-read-1' },
    });
    const second = await fetch(`${replicas[1].url}/products/42`);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(first.headers.get('x-request-id')).toBe('e2e-read-1');
    expect([first.headers.get('x-instance-id'), second.headers.get('x-instance-id')]).toEqual([
      'catalog-e2e-1',
      'catalog-e2e-2',
    ]);
    expect(first.headers.get('cache-control')).toContain('s-maxage=');
    expect(await second.json()).toEqual(await first.json());
  });

  it('shows a price change made through one replica on the next read from the other', async () => {
    await fetch(`${replicas[1].url}/products/43`); // cached
    const update = await fetch(`${replicas[0].url}/products/43`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...asUser('admin-1', 'admin') },
      body: JSON.stringify({ priceCents: 12_345 }),
    });
    expect(update.status).toBe(200);
    const read = await fetch(`${replicas[1].url}/products/43`);
    expect(read.headers.get('x-cache')).toBe('MISS');
    expect(await read.json()).toMatchObject({ id: 43, priceCents: 12_345 });
  });

  it('answers bad input with a 400 in the one error shape', async () => {
    const res = await fetch(`${replicas[0].url}/products/-3`, { headers: { 'x-request-id': 'e2e-bad-1' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'id must be a positive integer',
      requestId: 'e2e-bad-1',
    });
  });

  it('exposes Prometheus metrics with the cache outcomes', async () => {
    const metrics = await (await fetch(`${replicas[1].url}/metrics`)).text();
    expect(metrics).toMatch(/cache_events_total\{cache="product",event="hit"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/products\/:id",status="200"\} [1-9]/);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const replica = await startReplica(3);
    await expect(replica.stop()).resolves.toBe(0);
  });
});
