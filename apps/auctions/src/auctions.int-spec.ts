import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuctionClosed } from '@sdp/contracts';
import { asUser, connectPostgres, serviceTestEnv, serviceTestScope } from '@sdp/testing';
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { createAuctionsApp } from './app';
import { AuctionsRepository } from './auctions/auctions.repository';
import { loadAuctionsConfig, type BidStrategy } from './config';

// Auctions replicas in-process on a private schema, topic prefix and lock key prefix, against the
// real Postgres, Redis lock nodes and Kafka of `pnpm infra:up`: two with BID_STRATEGY=lock and two
// with BID_STRATEGY=cas, all on one schema (each test uses one pair).
const scope = serviceTestScope('auctions');
const { schema } = scope;
const admin = asUser('ops', 'admin');
const INCREMENT = 50;
const START = 1_000;

async function startReplica(name: string, strategy: BidStrategy): Promise<NestFastifyApplication> {
  const config = loadAuctionsConfig(
    serviceTestEnv(scope, {
      INSTANCE_ID: name,
      DB_POOL_SIZE: '8',
      BID_STRATEGY: strategy,
      CLOSER_INTERVAL_MS: '600000', // ticks are triggered by the tests
    }),
  );
  const app = await createAuctionsApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

describe('auctions (integration)', () => {
  const replicas: Record<BidStrategy, NestFastifyApplication[]> = { lock: [], cas: [] };
  let db: Client;

  const createAuction = async (endsInMs: number) => {
    const res = await replicas.lock[0].inject({
      method: 'POST',
      url: '/auctions',
      headers: admin,
      payload: {
        sku: 'SKU-000042',
        startPriceCents: START,
        minIncrementCents: INCREMENT,
        endsAt: new Date(Date.now() + endsInMs).toISOString(),
      },
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; status: string; minimumBidCents: number }>();
  };
  const bid = (app: NestFastifyApplication, id: string, userId: string, amountCents: number) =>
    app.inject({
      method: 'POST',
      url: `/auctions/${id}/bids`,
      headers: asUser(userId),
      payload: { amountCents },
    });
  const acceptedBids = async (id: string) =>
    (
      await db.query<{ seq: number; amount_cents: number; user_id: string }>(
        `SELECT seq, amount_cents, user_id FROM "${schema.name}".bids WHERE auction_id = $1 ORDER BY seq`,
        [id],
      )
    ).rows;
  const closedEvents = async (id: string) =>
    (
      await db.query<{ envelope: { data: { winner: unknown } } }>(
        `SELECT envelope FROM "${schema.name}".outbox WHERE topic = $1 AND key = $2`,
        [AuctionClosed.type, id],
      )
    ).rows;

  beforeAll(async () => {
    replicas.lock.push(await startReplica('auctions-lock-1', 'lock'));
    replicas.lock.push(await startReplica('auctions-lock-2', 'lock'));
    replicas.cas.push(await startReplica('auctions-cas-1', 'cas'));
    replicas.cas.push(await startReplica('auctions-cas-2', 'cas'));
    db = await connectPostgres();
  });

  afterAll(async () => {
    await Promise.all([...replicas.lock, ...replicas.cas].map((app) => app.close()));
    await db?.end();
    await schema.drop();
  });

  it('answers bad input with a 4xx naming the problem, and checks roles', async () => {
    const app = replicas.lock[0];
    const future = new Date(Date.now() + 60_000).toISOString();
    const create = (payload: object, headers = admin) =>
      app.inject({ method: 'POST', url: '/auctions', headers, payload });
    const ok = { sku: 'SKU-000001', startPriceCents: 100, minIncrementCents: 10, endsAt: future };
    expect((await create(ok, asUser('alice'))).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/auctions', payload: ok })).statusCode).toBe(401);
    const past = await create({ ...ok, endsAt: '2020-01-01T00:00:00Z' });
    expect([past.statusCode, past.json().message]).toEqual([400, 'endsAt must be in the future']);
    const feb31 = await create({ ...ok, endsAt: '2030-02-31T00:00:00Z' });
    expect([feb31.statusCode, feb31.json().message]).toEqual([400, 'endsAt must be a real date-time']);
    const noZone = await create({ ...ok, endsAt: '2030-01-01T00:00:00' });
    expect(noZone.statusCode).toBe(400);
    expect(JSON.stringify(noZone.json().message)).toMatch(/endsAt must be an ISO 8601 date-time with a zone/);
    const badPrice = await create({ ...ok, startPriceCents: 0 });
    expect(JSON.stringify(badPrice.json().message)).toMatch(/startPriceCents must be at least 1/);
    const unknown = await bid(app, randomUUID(), 'alice', 100);
    expect([unknown.statusCode, unknown.json().message]).toEqual([
      404,
      expect.stringMatching(/^no auction /),
    ]);
    const notUuid = await bid(app, 'nope', 'alice', 100);
    expect(JSON.stringify(notUuid.json().message)).toMatch(/id must be an auction id/);
    const anonymous = await app.inject({
      method: 'POST',
      url: `/auctions/${randomUUID()}/bids`,
      payload: { amountCents: 1 },
    });
    expect(anonymous.statusCode).toBe(401);
    const { id } = await createAuction(60_000);
    const low = await bid(app, id, 'alice', START - 1);
    expect(low.statusCode).toBe(409);
    expect(low.json()).toMatchObject({
      reason: 'too_low',
      minimumBidCents: START,
      message: `bid ${START - 1} is below the start price ${START}`,
    });
    const fractional = await bid(app, id, 'alice', 1000.5);
    expect(JSON.stringify(fractional.json().message)).toMatch(/amountCents must be an integer/);
    expect(await acceptedBids(id)).toEqual([]);
  });

  it.each(['lock', 'cas'] as const)(
    'BID_STRATEGY=%s: 300 concurrent bids over two replicas → accepted bids strictly increasing, the highest wins, closed once',
    async (strategy) => {
      const [a, b] = replicas[strategy];
      const { id } = await createAuction(4_000);
      // Amounts are multiples of the increment, so the unique highest bid is always valid.
      const amounts = Array.from({ length: 300 }, (_, i) =>
        i === 150 ? START + 400 * INCREMENT : START + Math.floor(Math.random() * 400) * INCREMENT,
      );
      const started = Date.now();
      const results = await Promise.all(
        amounts.map(async (amount, i) => {
          const t0 = performance.now();
          const res = await bid(i % 2 ? a : b, id, `user-${i % 60}`, amount);
          return {
            amount,
            status: res.statusCode,
            body: res.json<{ reason?: string }>(),
            ms: performance.now() - t0,
          };
        }),
      );
      const elapsed = Date.now() - started;
      const statuses = results.reduce<Record<string, number>>((acc, r) => {
        const key = `${r.status}${r.body.reason ? ` ${r.body.reason}` : ''}`;
        return { ...acc, [key]: (acc[key] ?? 0) + 1 };
      }, {});
      const ms = results.map((r) => r.ms).sort((x, y) => x - y);
      const accepted = await acceptedBids(id);
      console.log(
        `${strategy}: 300 bids in ${elapsed} ms -> ${JSON.stringify(statuses)}; ${accepted.length} accepted; ` +
          `latency p50 ${percentile(ms, 0.5).toFixed(1)} ms p99 ${percentile(ms, 0.99).toFixed(1)} ms`,
      );
      expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
      expect(accepted.length).toBe(results.filter((r) => r.status === 201).length);
      expect(accepted.map((r) => r.seq)).toEqual(accepted.map((_, i) => i + 1));
      for (let i = 1; i < accepted.length; i++)
        expect(accepted[i].amount_cents).toBeGreaterThanOrEqual(accepted[i - 1].amount_cents + INCREMENT);
      const top = Math.max(...amounts);
      expect(accepted.at(-1)!.amount_cents).toBe(top);

      // After the end (by the database's clock): refused with a clear 4xx, however high.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 4_200 - Date.now())));
      const late = await bid(a, id, 'latecomer', top * 10);
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({
        reason: 'ended',
        message: expect.stringMatching(/ended at .*bids are no longer accepted/),
      });

      // Every replica's closing job at once: one runs it (or both, one after the other); closed once.
      const runs = await Promise.all(
        [...replicas.lock, ...replicas.cas].map((app) =>
          app
            .inject({ method: 'POST', url: '/admin/closer/run', headers: admin })
            .then((r) => r.json<{ ran: boolean; closed: number }>()),
        ),
      );
      const again = await a.inject({ method: 'POST', url: '/admin/closer/run', headers: admin });
      expect(runs.reduce((sum, r) => sum + r.closed, 0)).toBe(1);
      expect(again.json()).toMatchObject({ ran: true, closed: 0 });
      const events = await closedEvents(id);
      expect(events).toHaveLength(1);
      expect(events[0].envelope.data.winner).toMatchObject({
        userId: accepted.at(-1)!.user_id,
        priceCents: top,
      });
      const view = (await b.inject({ method: 'GET', url: `/auctions/${id}` })).json();
      expect(view).toMatchObject({
        status: 'CLOSED',
        winner: { priceCents: top },
        bidCount: accepted.length,
        minimumBidCents: null,
      });
      expect(view.topBids[0].amountCents).toBe(top);
    },
    60_000,
  );

  it('a lock holder whose token is older than the row’s fence writes nothing (fencing)', async () => {
    const repo = replicas.lock[0].get(AuctionsRepository);
    const { id } = await createAuction(60_000);
    const stale = await repo.nextFence();
    const fresh = await repo.nextFence();
    const write = (token: string, amountCents: number, userId: string) =>
      repo.recordBid({
        id: randomUUID(),
        auctionId: id,
        userId,
        amountCents,
        strategy: 'lock',
        attempts: 1,
        guard: { fence: token },
      });
    expect(await write(fresh, START, 'newer-holder')).toBe(1);
    // The paused holder resumes with a valid, higher bid: the fence refuses it all the same.
    expect(await write(stale, START * 10, 'paused-holder')).toBeNull();
    // And a compare-and-set with a version read before that bid is refused too.
    const casStale = await repo.recordBid({
      id: randomUUID(),
      auctionId: id,
      userId: 'cas',
      amountCents: START * 10,
      strategy: 'cas',
      attempts: 1,
      guard: { version: '0' },
    });
    expect(casStale).toBeNull();
    expect((await acceptedBids(id)).map((b) => b.user_id)).toEqual(['newer-holder']);
  });
});
