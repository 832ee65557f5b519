import { randomUUID } from 'node:crypto';
import { ordersHarness } from '../test/support/orders-harness';

// Every customer route refuses a request without the gateway's signed identity, and a service
// identity on customer routes (apps/orders/test/support/orders-harness.ts starts the replicas).

describe('orders (integration): identity', () => {
  const { call } = ordersHarness();

  describe('identity', () => {
    it.each([
      ['GET', '/cart'],
      ['POST', '/checkout'],
      ['GET', '/orders'],
      ['GET', `/orders/${randomUUID()}`],
    ] as const)('answers 401 to %s %s without a gateway identity', async (method, url) => {
      const res = await call(method, url);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ statusCode: 401, message: 'missing gateway identity' });
    });

    it('answers 403 to a service identity on customer routes', async () => {
      expect((await call('GET', '/cart', { user: 'inventory', role: 'service' })).statusCode).toBe(403);
    });
  });
});
