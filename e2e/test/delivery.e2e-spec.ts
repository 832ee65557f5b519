import { waitFor } from '@sdp/testing';
import { randomUUID } from 'node:crypto';
import { bearer, login } from './support/edge-client';
import { startTestStack, type TestStack } from './support/stack';

// A confirmed order gets a courier, seen the way the storefront sees it: through the edge and the
// gateway (JWT, role check) to delivery, which shows a delivery to its owner only; the courier's
// progress also reaches the owner's notifications. (The dispatch itself, under contention and a
// crash, is dispatch.e2e-spec.ts.)

interface DeliveryView {
  orderId: string;
  status: 'WAITING' | 'ASSIGNED' | 'DELIVERED';
  courier: { id: string; name: string } | null;
}

describe('delivery through the edge: checkout → confirmed → courier assigned → delivered', () => {
  let stack: TestStack;
  let edge: string;
  let alice: string;
  let bob: string;
  let admin: string;

  const get = (path: string, token?: string) =>
    fetch(`${edge}${path}`, { headers: token ? bearer(token) : {} });

  beforeAll(async () => {
    stack = await startTestStack(
      {
        payments: { PSP_LATENCY_MS: '20', PSP_FAILURE_RATE: '0' },
        delivery: { ASSIGN_OFFER_MS: '50', DELIVERY_TIME_MS: '3000' },
      },
      { proxies: true },
    );
    edge = stack.edge!.url;
    [alice, bob, admin] = await Promise.all(
      ['alice@example.com', 'bob@example.com', 'admin@example.com'].map((email) => login(edge, email)),
    );
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows the owner the courier, then the delivery; nobody else sees it', async () => {
    const placed = await fetch(`${edge}/api/checkout`, {
      method: 'POST',
      headers: { ...bearer(alice), 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ items: [{ sku: 'SKU-000042', quantity: 1 }] }),
    });
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };
    const path = `/api/orders/${orderId}/delivery`;

    const assigned = await waitFor(
      async () => {
        const res = await get(path, alice);
        if (res.status !== 200) return undefined; // 404 until the order is confirmed
        const view = (await res.json()) as DeliveryView;
        return view.status === 'ASSIGNED' ? view : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'a courier for the order' },
    );
    expect(assigned.courier?.id).toMatch(/^courier-\d+$/);
    expect((await get(path, bob)).status).toBe(404);
    expect((await get(path)).status).toBe(401);

    const board = await get('/api/admin/couriers', admin);
    expect(board.status).toBe(200);
    const couriers = (await board.json()) as { couriers: { id: string; currentOrderId: string | null }[] };
    expect(couriers.couriers.find((c) => c.id === assigned.courier?.id)?.currentOrderId).toBe(orderId);
    expect((await get('/api/admin/couriers', alice)).status).toBe(403);

    const delivered = await waitFor(
      async () => {
        const view = (await (await get(path, alice)).json()) as DeliveryView;
        return view.status === 'DELIVERED' ? view : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'the delivery' },
    );
    expect(delivered.courier).toEqual(assigned.courier);

    const notifications = await waitFor(
      async () => {
        const res = await get('/api/notifications', alice);
        const { items } = (await res.json()) as { items: { type: string; orderId: string }[] };
        const mine = items.filter((n) => n.orderId === orderId).map((n) => n.type);
        return mine.includes('delivery.delivered') ? mine : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: "the owner's delivery notifications" },
    );
    // Newest first. The courier's news has a consumer group of its own, so it may be stored before
    // or after order.confirmed; within the group (one partition per order) assigned precedes delivered.
    expect([...notifications].sort()).toEqual(['delivery.assigned', 'delivery.delivered', 'order.confirmed']);
    expect(notifications.indexOf('delivery.delivered')).toBeLessThan(
      notifications.indexOf('delivery.assigned'),
    );
  });

  it('refuses a malformed order id with a 400 naming it, never a 5xx', async () => {
    const res = await get('/api/orders/not-a-uuid/delivery', alice);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/id must be an order id/);
  });
});
