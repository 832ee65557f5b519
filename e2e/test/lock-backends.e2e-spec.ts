import {
  checkoutLatency,
  finalStatuses,
  fireCheckouts,
  setPsp,
  setStock,
  settledStock,
} from './support/checkout-client';
import { startTestStack, type TestStack } from './support/stack';

// The flash sale on either lock backend (docs/distributed-locks.md, "Redlock or ZooKeeper"): one
// stack of the built services; inventory's replicas run with LOCK_BACKEND=redlock, then are
// restarted with LOCK_BACKEND=zookeeper. Whatever arbitrates the holds,
// the invariant is the same: exactly the stock is sold, nobody is oversold, every loser hears
// "out of stock" (or, on a loaded machine, a retryable 503 "busy" after the lock's retry window,
// counted and printed). The figures (checkout p50/p99, locks taken) are printed side by side.

const STOCK = 20;
const BUYERS = 300;

/** Sum of a Prometheus counter/histogram series over every label set. */
function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('flash sale with inventory on either lock backend (e2e)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // One stack; inventory's replicas are restarted with the other backend between the two sales.
    stack = await startTestStack({
      payments: { PSP_LATENCY_MS: '20', PSP_FAILURE_RATE: '0' },
      inventory: { LOCK_BACKEND: 'redlock', RESERVATION_TTL_SECONDS: '600' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['redlock', 'SKU-000103'],
    ['zookeeper', 'SKU-000104'],
  ] as const)(
    `%s: ${BUYERS} buyers, stock ${STOCK}: exactly ${STOCK} confirmed, none oversold, the rest out of stock`,
    async (backend, sku) => {
      const inventories = stack.processes.filter((p) => /^inventory-\d+$/.test(p.name));
      expect(inventories).toHaveLength(stack.urls.inventory.length);
      if (backend !== 'redlock') {
        for (const replica of inventories) {
          await replica.stop();
          await stack.restart(replica, { LOCK_BACKEND: backend });
        }
      }
      // Every replica answers readiness with the configured backend's check, and only that one.
      const check = backend === 'zookeeper' ? 'zookeeper-locks' : 'redis-locks';
      for (const url of stack.urls.inventory) {
        const res = await fetch(`${url}/ready`);
        const body = (await res.json()) as { checks: Record<string, { status: string }> };
        expect(res.status).toBe(200);
        expect(body.checks[check]).toMatchObject({ status: 'up' });
        expect(Object.keys(body.checks)).not.toContain(
          backend === 'zookeeper' ? 'redis-locks' : 'zookeeper-locks',
        );
      }

      await setStock(stack.urls.inventory[0], sku, STOCK);
      await setPsp(stack.urls.payments[0], { failureRate: 0 });
      const started = Date.now();
      const results = await fireCheckouts(stack.urls.orders, BUYERS, `flash-${backend}`, [
        { sku, quantity: 1 },
      ]);
      const elapsedMs = Date.now() - started;
      const accepted = results.filter((r) => r.status === 202);
      const statuses = await finalStatuses(stack.urls.orders[0], accepted);
      const stock = await settledStock(stack.urls.inventory[0], sku);
      const metrics = await Promise.all(
        stack.urls.inventory.map((url) => fetch(`${url}/metrics`).then((r) => r.text())),
      );
      const figures = {
        backend,
        buyers: BUYERS,
        elapsedMs,
        answers: results.reduce<Record<number, number>>(
          (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
          {},
        ),
        confirmed: statuses.filter((s) => s === 'CONFIRMED').length,
        oversold: Math.max(0, stock.sold - STOCK),
        ...checkoutLatency(results),
        locksTakenPerReplica: metrics.map((m) =>
          metricSum(m, 'lock_acquire_wait_seconds_count{outcome="acquired"'),
        ),
        busyMessages: [...new Set(results.filter((r) => r.status === 503).map((r) => r.body.message))],
        lockFailures: metrics.reduce((sum, m) => sum + metricSum(m, 'lock_failures_total'), 0),
        stock,
      };
      console.log(`flash sale on ${backend}: ${JSON.stringify(figures)}`);

      expect(figures.answers[202]).toBe(STOCK);
      expect((figures.answers[409] ?? 0) + (figures.answers[503] ?? 0)).toBe(BUYERS - STOCK);
      for (const busy of results.filter((r) => r.status === 503))
        expect(busy.body.message).toMatch(/lock|busy|retry/i);
      expect(figures.confirmed).toBe(STOCK);
      expect(figures.oversold).toBe(0);
      expect(stock).toMatchObject({ onHand: 0, reserved: 0, sold: STOCK, available: 0 });
      for (const rejected of results.filter((r) => r.status === 409))
        expect(rejected.body.message).toMatch(/out of stock/i);
      // The holds went through the configured lock, in both replicas.
      for (const taken of figures.locksTakenPerReplica) expect(taken).toBeGreaterThan(0);
    },
  );
});
