import { randomUUID } from 'node:crypto';
import { uniqueName } from '@sdp/testing';
import { ordersHarness } from '../../test/support/orders-harness';

// Owners see their own orders, admins any (apps/orders/test/support/orders-harness.ts).

describe('orders (integration): reading orders', () => {
  const { call, checkout } = ordersHarness();

  describe('reading orders', () => {
    it('shows an order only to its owner (404 for anyone else, any order for an admin) and lists only the caller’s, newest first', async () => {
      const owner = uniqueName('owner');
      const stranger = uniqueName('stranger');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await checkout(owner, uniqueName('key'), {
          items: [{ sku: 'SKU-000001', quantity: 1 + i }],
        });
        ids.push(res.json().orderId);
      }
      await checkout(stranger, uniqueName('key'), { items: [{ sku: 'SKU-000001', quantity: 1 }] });

      const foreign = await call('GET', `/orders/${ids[0]}`, { user: stranger });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().message).toBe(`order ${ids[0]} not found`);
      expect((await call('GET', `/orders/${randomUUID()}`, { user: stranger })).json().message).toMatch(
        /not found/,
      );
      expect(
        (await call('GET', `/orders/${ids[0]}`, { user: uniqueName('ops'), role: 'admin' })).statusCode,
      ).toBe(200);
      expect((await call('GET', '/orders/not-a-uuid', { user: owner })).json().message).toBe(
        'id must be an order id (a UUID)',
      );

      const page = (await call('GET', '/orders?page=1&limit=2', { user: owner })).json();
      expect(page).toMatchObject({ page: 1, limit: 2, total: 3 });
      expect(page.items.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
      const rest = (await call('GET', '/orders?page=2&limit=2', { user: owner, replica: 1 })).json();
      expect(rest.items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
      expect((await call('GET', '/orders?limit=500', { user: owner })).statusCode).toBe(400);
    });
  });
});
