import path from 'node:path';
import { createRedis, waitForRedis } from '@sdp/redis';
import {
  asUser,
  connectPostgres,
  freePort,
  spawnService,
  startDisposableRedis,
  TEST_INTERNAL_AUTH_SECRET,
  testInfraEnv,
  testSchema,
  uniqueName,
  waitFor,
  waitUntilReady,
  type ServiceProcess,
} from '@sdp/testing';
import type { Redis } from 'ioredis';
import type { Client } from 'pg';

// Write-back's risk, shown with real processes: acknowledged writes live only in Redis until the
// flusher writes them to Postgres. SIGKILL the catalog between write and flush, or in the middle of a
// flush, and count what made it.
const main = path.join(__dirname, '../dist/main.js');
const schema = testSchema('catalog_wb');
const WRITES = 50;
const ids = Array.from({ length: WRITES }, (_, i) => 200 + i);
const priceFor = (id: number) => 90_000 + id;

async function startCatalog(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const catalog = spawnService(name, main, {
    ...testInfraEnv(),
    INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
    PORT: String(await freePort()),
    INSTANCE_ID: name,
    DB_SCHEMA: schema.name,
    LOG_LEVEL: 'warn',
    PRODUCT_WRITE_STRATEGY: 'write-back',
    ...env,
  });
  await waitUntilReady(catalog, 30_000);
  return catalog;
}

async function writeAll(catalog: ServiceProcess): Promise<void> {
  for (const id of ids) {
    const res = await fetch(`${catalog.url}/products/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...asUser('admin-1', 'admin') },
      body: JSON.stringify({ priceCents: priceFor(id) }),
    });
    expect(res.status).toBe(200); // acknowledged: the client believes the write happened
  }
}

describe('write-back under a crash (e2e, real processes)', () => {
  let db: Client;
  let redis: Redis;
  const started: ServiceProcess[] = [];
  const durable = async () =>
    Number(
      (
        await db.query(
          `SELECT count(*) AS n FROM "${schema.name}".products WHERE id = ANY($1::int[]) AND price_cents = 90000 + id`,
          [ids],
        )
      ).rows[0].n,
    );

  beforeAll(async () => {
    db = await connectPostgres();
    redis = createRedis({ url: testInfraEnv().REDIS_CACHE_URL, name: 'catalog-wb-test', role: 'cache' });
    await waitForRedis(redis);
  });

  afterAll(async () => {
    await Promise.all(started.map((p) => p.kill()));
    redis.disconnect();
    await db.end();
    await schema.drop();
  });

  beforeEach(async () => {
    // The first test's catalog creates the schema; later ones reset the prices they look at.
    await db
      .query(`UPDATE "${schema.name}".products SET price_cents = 100 WHERE id = ANY($1::int[])`, [ids])
      .catch(() => undefined);
  });

  it('SIGKILL of the app between write and flush: nothing in Postgres yet; the queue in Redis survives', async () => {
    const prefix = uniqueName('catalog_wb');
    const first = await startCatalog('catalog-wb-1', {
      CACHE_KEY_PREFIX: prefix,
      WRITE_BACK_FLUSH_MS: '600000',
    });
    started.push(first);
    await writeAll(first);
    await first.kill();
    const inPostgres = await durable();
    console.log(
      `write-back, app SIGKILLed before its flush: ${WRITES} writes acknowledged, ${inPostgres} in Postgres, ` +
        `${WRITES - inPostgres} only in Redis at the moment of the crash`,
    );
    expect(inPostgres).toBe(0);

    // Any replica (here: a restarted one) flushes the queue it finds in Redis.
    const second = await startCatalog('catalog-wb-2', {
      CACHE_KEY_PREFIX: prefix,
      WRITE_BACK_FLUSH_MS: '200',
    });
    started.push(second);
    await waitFor(async () => (await durable()) === WRITES, {
      timeoutMs: 15_000,
      what: 'the pending writes flushed',
    });
    console.log(
      `write-back, after another replica flushed the Redis queue: lost ${WRITES - (await durable())} of ${WRITES}`,
    );
    await second.stop();
  });

  it('SIGKILL of the app mid-flush (after claim, before commit): another replica applies the batch, lost 0', async () => {
    const prefix = uniqueName('catalog_wb');
    const inflight = `${prefix}:write-back:product:inflight`;
    const writer = await startCatalog('catalog-wb-5', {
      CACHE_KEY_PREFIX: prefix,
      WRITE_BACK_FLUSH_MS: '600000',
    });
    started.push(writer);
    await writeAll(writer);
    await writer.kill(); // the 50 changes wait in Redis

    // This replica claims all 50 in one batch, applies them, and then (test hook) sits before COMMIT.
    const doomed = await startCatalog('catalog-wb-6', {
      CACHE_KEY_PREFIX: prefix,
      WRITE_BACK_FLUSH_MS: '200',
      WRITE_BACK_LEASE_MS: '2000',
      WRITE_BACK_TEST_PAUSE_BEFORE_COMMIT_MS: '600000',
    });
    started.push(doomed);
    await waitFor(async () => (await redis.hlen(`${inflight}-owner`)) === WRITES, {
      timeoutMs: 10_000,
      what: 'the batch claimed by catalog-wb-6',
    });
    const [token] = await redis.zrange(inflight, '0', '-1');
    await doomed.kill(); // Postgres rolls the open transaction back
    const atKill = await durable();
    console.log(
      `write-back, app SIGKILLed mid-flush (after claim, before commit): ${WRITES} claimed by ` +
        `${token.split(':')[0]}, ${atKill} in Postgres, ${await redis.scard(`${prefix}:write-back:product:dirty`)} left in the queue`,
    );
    expect(atKill).toBe(0);

    // Another replica's flush finds the lease expired, re-queues the batch and applies it.
    const rescuer = await startCatalog('catalog-wb-7', {
      CACHE_KEY_PREFIX: prefix,
      WRITE_BACK_FLUSH_MS: '200',
    });
    started.push(rescuer);
    await waitFor(async () => (await durable()) === WRITES, {
      timeoutMs: 15_000,
      what: 'the crashed flush re-queued and applied',
    });
    console.log(
      `write-back, after another replica re-queued the expired lease: lost ${WRITES - (await durable())} of ${WRITES}`,
    );
    expect(await redis.zcard(inflight)).toBe(0);
    expect(await redis.hlen(`${inflight}-owner`)).toBe(0);
    const metrics = await (await fetch(`${rescuer.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^catalog_write_back_requeued_total ${WRITES}$`, 'm'));
    await rescuer.stop();
  });

  it('SIGKILL of the app AND the cache node (no persistence): every unflushed write is lost', async () => {
    const redis = await startDisposableRedis(); // --save '' --appendonly no, like a pure cache node
    const catalog = await startCatalog('catalog-wb-3', {
      CACHE_KEY_PREFIX: uniqueName('catalog_wb'),
      REDIS_CACHE_URL: redis.url,
      WRITE_BACK_FLUSH_MS: '600000',
    });
    started.push(catalog);
    await writeAll(catalog);
    await Promise.all([catalog.kill(), redis.kill()]);
    const inPostgres = await durable();
    console.log(
      `write-back, app and Redis SIGKILLed before the flush: LOST ${WRITES - inPostgres} of ${WRITES} acknowledged writes`,
    );
    expect(inPostgres).toBe(0);
  });

  it('a graceful stop (SIGTERM) flushes first: nothing lost', async () => {
    const catalog = await startCatalog('catalog-wb-4', {
      CACHE_KEY_PREFIX: uniqueName('catalog_wb'),
      WRITE_BACK_FLUSH_MS: '600000',
    });
    started.push(catalog);
    await writeAll(catalog);
    expect(await catalog.stop()).toBe(0);
    const inPostgres = await durable();
    console.log(`write-back, SIGTERM: ${inPostgres} of ${WRITES} in Postgres after the shutdown flush`);
    expect(inPostgres).toBe(WRITES);
  });
});
