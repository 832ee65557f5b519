import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { asUser, testSchema, uniqueName } from '@sdp/testing';
import { RECENTLY_VIEWED_MAX, RecentlyViewedService } from './recently-viewed.service';
import { startCatalogApp } from '../../test/support/catalog-app';

const schema = testSchema('catalog_rv');

describe('recently viewed (integration)', () => {
  let app: NestFastifyApplication;
  const view = (userId: string, body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/me/recently-viewed',
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...asUser(userId) },
    });
  const list = (userId: string) =>
    app.inject({ method: 'GET', url: '/me/recently-viewed', headers: asUser(userId) });

  beforeAll(async () => {
    app = await startCatalogApp({
      DB_SCHEMA: schema.name,
      CACHE_KEY_PREFIX: uniqueName('catalog_rv'),
      INSTANCE_ID: 'catalog-rv-1',
    });
  });

  afterAll(async () => {
    await app.close();
    await schema.drop();
  });

  it('keeps each user their own list, newest first, each product once', async () => {
    for (const id of [1, 2, 3, 1]) expect((await view('alice', { productId: id })).statusCode).toBe(204);
    await view('bob', { productId: 9 });
    const res = await list('alice');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.json().items.map((p: { id: number }) => p.id)).toEqual([1, 3, 2]);
    expect((await list('bob')).json().items.map((p: { id: number }) => p.id)).toEqual([9]);
  });

  it(`caps the list at ${RECENTLY_VIEWED_MAX} (LPUSH + LTRIM) and expires idle lists`, async () => {
    for (let id = 100; id < 100 + RECENTLY_VIEWED_MAX + 5; id++) await view('carol', { productId: id });
    const ids = (await list('carol')).json().items.map((p: { id: number }) => p.id);
    expect(ids).toHaveLength(RECENTLY_VIEWED_MAX);
    expect(ids[0]).toBe(100 + RECENTLY_VIEWED_MAX + 4);
    const service = app.get(RecentlyViewedService);
    const redis = (service as unknown as { redis: import('ioredis').Redis }).redis;
    expect(await redis.llen(service.key('carol'))).toBe(RECENTLY_VIEWED_MAX);
    expect(await redis.ttl(service.key('carol'))).toBeGreaterThan(29 * 24 * 3600);
  });

  it('needs a signed identity, refuses bad ids (400) and unknown products (404), storing nothing', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/me/recently-viewed' });
    expect(anonymous.statusCode).toBe(401);
    const bad = await view('dave', { productId: 'one' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/productId must be a positive integer/);
    const unknown = await view('dave', { productId: 2_000_000 });
    expect(unknown.statusCode).toBe(404);
    expect((await list('dave')).json().items).toEqual([]);
  });
});
