import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { asUser, connectPostgres, testSchema, uniqueName } from '@sdp/testing';
import type { Client } from 'pg';
import { crossedCarts, setStockOn, startInventoryReplica } from '../../../test/support/inventory-replica';
import { reservationStrategies } from './hold-strategy';

// The same flash sale and the same deadlock-prone carts under each RESERVATION_STRATEGY: two
// replicas per strategy, real Postgres and Redis. Whatever arbitrates, nothing is oversold.
const schema = testSchema('inventory');
const scope = {
  schema: schema.name,
  topicPrefix: `${uniqueName('t')}.`,
  group: uniqueName('inventory'),
  lockPrefix: `${uniqueName('t')}:lock:`,
};
const service = asUser('orders', 'service');
type Line = { sku: string; quantity: number };

let db: Client;
beforeAll(async () => {
  db = await connectPostgres();
});
afterAll(async () => {
  await db.end();
  await schema.drop();
});

describe.each(reservationStrategies.map((strategy, i) => ({ strategy, base: 700 + i * 10 })))(
  'RESERVATION_STRATEGY=$strategy',
  ({ strategy, base }) => {
    const replicas: NestFastifyApplication[] = [];
    const sku = (n: number) => `SKU-${String(base + n).padStart(6, '0')}`;
    const reserve = (items: Line[], replica: number) =>
      replicas[replica].inject({
        method: 'POST',
        url: '/reservations',
        payload: { orderId: randomUUID(), items },
        headers: service,
      });
    const setStock = (target: string, onHand: number) => setStockOn(replicas[0], target, onHand);
    const stockRow = async (target: string) =>
      (await db.query(`SELECT on_hand, reserved FROM "${schema.name}".stock WHERE sku = $1`, [target]))
        .rows[0];
    const heldRows = async (target: string) =>
      (
        await db.query(
          `SELECT count(*)::int AS n, coalesce(sum(quantity), 0)::int AS units FROM "${schema.name}".reservations WHERE sku = $1 AND status = 'HELD'`,
          [target],
        )
      ).rows[0];

    beforeAll(async () => {
      for (const index of [1, 2])
        replicas.push(await startInventoryReplica(scope, index, { RESERVATION_STRATEGY: strategy }));
    });
    afterAll(async () => {
      await Promise.all(replicas.map((app) => app.close()));
    });

    it('holds exactly the stock when 200 buyers race for 20 units over two replicas', async () => {
      const hot = sku(1);
      await setStock(hot, 20);
      const started = Date.now();
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => reserve([{ sku: hot, quantity: 1 }], i % 2)),
      );
      const elapsed = Date.now() - started;
      const byStatus = responses.reduce<Record<number, number>>(
        (acc, r) => ({ ...acc, [r.statusCode]: (acc[r.statusCode] ?? 0) + 1 }),
        {},
      );
      const row = await stockRow(hot);
      const held = await heldRows(hot);
      console.log(
        `${strategy}: 200 buyers, 20 units, 2 replicas in ${elapsed} ms -> ${JSON.stringify(byStatus)}; ` +
          `stock ${JSON.stringify(row)}; held ${held.n} rows; oversold ${Math.max(0, row.reserved - row.on_hand)}`,
      );
      expect(byStatus).toEqual({ 201: 20, 409: 180 });
      expect(row).toEqual({ on_hand: 20, reserved: 20 });
      expect(held).toEqual({ n: 20, units: 20 });
    });

    it('completes multi-SKU carts taken in opposite orders without deadlock', async () => {
      const [a, b] = [sku(2), sku(3)];
      await setStock(a, 1_000);
      await setStock(b, 1_000);
      const responses = await Promise.all(
        crossedCarts(a, b, 40).map((cart) => reserve(cart.items, cart.replica)),
      );
      expect(responses.map((r) => r.statusCode)).toEqual(Array(40).fill(201));
      expect(await stockRow(a)).toEqual({ on_hand: 1_000, reserved: 40 });
      expect(await stockRow(b)).toEqual({ on_hand: 1_000, reserved: 40 });
    });

    it('holds all lines or none: a cart with one short line changes no stock', async () => {
      const [plenty, short] = [sku(4), sku(5)];
      await setStock(plenty, 10);
      await setStock(short, 1);
      const refused = await reserve(
        [
          { sku: plenty, quantity: 2 },
          { sku: short, quantity: 2 },
        ],
        0,
      );
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ sku: short, available: 1 });
      expect(await stockRow(plenty)).toEqual({ on_hand: 10, reserved: 0 });
      // Whatever the strategy counted outside Postgres was given back: all 10 can still be held.
      const all = await reserve([{ sku: plenty, quantity: 10 }], 1);
      expect(all.statusCode).toBe(201);
      expect(await stockRow(plenty)).toEqual({ on_hand: 10, reserved: 10 });
    });
  },
);

describe('RESERVATION_STRATEGY=redis-counter with its counter node down', () => {
  let replica: NestFastifyApplication;
  beforeAll(async () => {
    // Nothing listens on port 1: every counter command fails at once (no offline queue).
    replica = await startInventoryReplica(scope, 3, {
      RESERVATION_STRATEGY: 'redis-counter',
      STOCK_COUNTER_REDIS_URL: 'redis://127.0.0.1:1',
    });
  });
  afterAll(async () => {
    await replica.close();
  });

  it('answers 503 naming the counter and holds nothing', async () => {
    const sku = 'SKU-000799';
    const before = (
      await db.query(`SELECT on_hand, reserved FROM "${schema.name}".stock WHERE sku = $1`, [sku])
    ).rows[0];
    const res = await replica.inject({
      method: 'POST',
      url: '/reservations',
      payload: { orderId: randomUUID(), items: [{ sku, quantity: 1 }] },
      headers: service,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toMatch(/stock counter unavailable/);
    const after = (
      await db.query(`SELECT on_hand, reserved FROM "${schema.name}".stock WHERE sku = $1`, [sku])
    ).rows[0];
    expect(after).toEqual(before);
  });
});
