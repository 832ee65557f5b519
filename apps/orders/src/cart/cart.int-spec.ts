import { uniqueName } from '@sdp/testing';
import { CART_TTL_SECONDS, ordersHarness } from '../../test/support/orders-harness';

// The cart in Redis, through both replicas (apps/orders/test/support/orders-harness.ts).

describe('orders (integration): cart', () => {
  const { redis, call, cartPrefix } = ordersHarness();

  describe('cart', () => {
    it('adds, accumulates, sets, removes and clears lines, keeping each user apart', async () => {
      const alice = uniqueName('alice');
      const bob = uniqueName('bob');
      expect((await call('GET', '/cart', { user: alice })).json()).toEqual({ items: [] });
      await call('POST', '/cart/items', { user: alice, payload: { sku: 'SKU-000002', quantity: 2 } });
      const added = await call('POST', '/cart/items', {
        user: alice,
        payload: { sku: 'SKU-000002', quantity: 3 },
        replica: 1,
      });
      expect(added.statusCode).toBe(200);
      expect(added.json()).toEqual({ items: [{ sku: 'SKU-000002', quantity: 5 }] });
      await call('POST', '/cart/items', { user: alice, payload: { sku: 'SKU-000001', quantity: 1 } });
      const set = await call('PATCH', '/cart/items/SKU-000002', { user: alice, payload: { quantity: 9 } });
      expect(set.json()).toEqual({
        items: [
          { sku: 'SKU-000001', quantity: 1 },
          { sku: 'SKU-000002', quantity: 9 },
        ],
      });
      await call('POST', '/cart/items', { user: bob, payload: { sku: 'SKU-000003', quantity: 1 } });
      expect((await call('GET', '/cart', { user: bob })).json()).toEqual({
        items: [{ sku: 'SKU-000003', quantity: 1 }],
      });
      const removed = await call('DELETE', '/cart/items/SKU-000001', { user: alice });
      expect(removed.json()).toEqual({ items: [{ sku: 'SKU-000002', quantity: 9 }] });
      expect((await call('DELETE', '/cart', { user: alice })).json()).toEqual({ items: [] });
      expect(await redis.exists(`${cartPrefix}:${alice}`)).toBe(0);
      expect((await call('GET', '/cart', { user: bob })).json().items).toHaveLength(1);
    });

    it('keeps the cart in a Redis hash whose TTL every write refreshes', async () => {
      const user = uniqueName('ttl');
      const key = `${cartPrefix}:${user}`;
      await call('POST', '/cart/items', { user, payload: { sku: 'SKU-000001', quantity: 2 } });
      expect(await redis.hgetall(key)).toEqual({ 'SKU-000001': '2' });
      expect(await redis.ttl(key)).toBeGreaterThan(CART_TTL_SECONDS - 10);
      await redis.expire(key, 100); // as if the cart had aged
      await call('PATCH', '/cart/items/SKU-000001', { user, payload: { quantity: 4 } });
      expect(await redis.ttl(key)).toBeGreaterThan(CART_TTL_SECONDS - 10);
    });

    it.each([
      ['quantity 0', { sku: 'SKU-000001', quantity: 0 }, /quantity must be an integer from 1 to 100/],
      [
        'a negative quantity',
        { sku: 'SKU-000001', quantity: -3 },
        /quantity must be an integer from 1 to 100/,
      ],
      ['a huge quantity', { sku: 'SKU-000001', quantity: 1e9 }, /quantity must be an integer from 1 to 100/],
      ['a fractional quantity', { sku: 'SKU-000001', quantity: 1.5 }, /quantity must be an integer/],
      ['a quantity as text', { sku: 'SKU-000001', quantity: '2' }, /quantity must be an integer/],
      ['a malformed SKU', { sku: 'sku 1; drop', quantity: 1 }, /sku must be a SKU/],
      [
        'an unknown field',
        { sku: 'SKU-000001', quantity: 1, priceCents: 1 },
        /property priceCents should not exist/,
      ],
    ])('rejects %s with a 400 and leaves the cart alone', async (_case, payload, message) => {
      const user = uniqueName('bad');
      const res = await call('POST', '/cart/items', { user, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(message);
      expect(await redis.exists(`${cartPrefix}:${user}`)).toBe(0);
    });

    it('holds at most 100 of a line and 50 lines, even under concurrent adds on both replicas', async () => {
      const user = uniqueName('limits');
      const adds = await Promise.all(
        Array.from({ length: 14 }, (_, i) =>
          call('POST', '/cart/items', { user, payload: { sku: 'SKU-000001', quantity: 10 }, replica: i % 2 }),
        ),
      );
      const codes = adds.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 200)).toHaveLength(10);
      expect(codes.filter((c) => c === 400)).toHaveLength(4);
      expect(adds.find((r) => r.statusCode === 400)!.json().message).toMatch(
        /quantity of SKU-000001 would be 110; a line holds at most 100/,
      );
      expect(await redis.hget(`${cartPrefix}:${user}`, 'SKU-000001')).toBe('100');

      for (let i = 2; i <= 50; i++) {
        const sku = `SKU-${String(i).padStart(6, '0')}`;
        expect((await call('POST', '/cart/items', { user, payload: { sku, quantity: 1 } })).statusCode).toBe(
          200,
        );
      }
      const tooMany = await call('POST', '/cart/items', {
        user,
        payload: { sku: 'SKU-999999', quantity: 1 },
      });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().message).toMatch(/at most 50 lines/);
      expect(await redis.hlen(`${cartPrefix}:${user}`)).toBe(50);
    });

    it('answers 404 when setting a line that is not in the cart, 400 for a bad SKU in the path', async () => {
      const user = uniqueName('patch');
      const missing = await call('PATCH', '/cart/items/SKU-000001', { user, payload: { quantity: 1 } });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().message).toBe('SKU-000001 is not in the cart');
      expect((await call('DELETE', '/cart/items/not-a-sku', { user })).statusCode).toBe(400);
      expect(await redis.exists(`${cartPrefix}:${user}`)).toBe(0);
    });
  });
});
