import { randomUUID } from 'node:crypto';
import { asUser, waitFor } from '@sdp/testing';

export interface CheckoutResult {
  userId: string;
  status: number;
  body: { orderId?: string; status?: string; message?: string };
  ms: number;
}

const admin = () => asUser('e2e-admin', 'admin');

export async function setStock(inventoryUrl: string, sku: string, onHand: number): Promise<void> {
  const res = await fetch(`${inventoryUrl}/stock/${sku}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...admin() },
    body: JSON.stringify({ onHand }),
  });
  if (res.status !== 200) throw new Error(`set stock ${sku}: ${res.status} ${await res.text()}`);
}

export interface Stock {
  sku: string;
  onHand: number;
  reserved: number;
  sold: number;
  available: number;
}

export async function getStock(inventoryUrl: string, sku: string): Promise<Stock> {
  return (await fetch(`${inventoryUrl}/stock/${sku}`)).json() as Promise<Stock>;
}

/**
 * The stock once inventory has caught up: an order is final in orders before inventory consumes
 * order.confirmed / order.cancelled (eventual consistency), so wait until no hold is left. Generous:
 * on a loaded 2-core machine the consumers can lag tens of seconds behind a 500-order burst.
 */
export async function settledStock(inventoryUrl: string, sku: string): Promise<Stock> {
  return waitFor(
    async () => {
      const stock = await getStock(inventoryUrl, sku);
      return stock.reserved === 0 ? stock : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `inventory to settle every hold on ${sku}` },
  );
}

export async function setPsp(
  paymentsUrl: string,
  settings: { failureRate?: number; latencyMs?: number },
): Promise<void> {
  const res = await fetch(`${paymentsUrl}/admin/psp`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...admin() },
    body: JSON.stringify(settings),
  });
  if (res.status !== 200) throw new Error(`set psp: ${res.status} ${await res.text()}`);
}

export async function runSweeper(inventoryUrl: string): Promise<void> {
  const res = await fetch(`${inventoryUrl}/admin/sweeper/run`, { method: 'POST', headers: admin() });
  if (res.status >= 300) throw new Error(`sweeper: ${res.status} ${await res.text()}`);
}

export async function checkout(
  ordersUrl: string,
  userId: string,
  items: { sku: string; quantity: number }[],
): Promise<CheckoutResult> {
  const started = performance.now();
  const res = await fetch(`${ordersUrl}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...asUser(userId) },
    body: JSON.stringify({ items }),
  });
  const body = (await res.json()) as CheckoutResult['body'];
  return { userId, status: res.status, body, ms: performance.now() - started };
}

export async function orderStatus(ordersUrl: string, userId: string, orderId: string): Promise<string> {
  const res = await fetch(`${ordersUrl}/orders/${orderId}`, { headers: asUser(userId) });
  if (res.status !== 200) throw new Error(`order ${orderId}: ${res.status}`);
  return ((await res.json()) as { status: string }).status;
}

/** Waits until every accepted order left PENDING_PAYMENT; returns the final status per order. */
export async function finalStatuses(
  ordersUrl: string,
  accepted: CheckoutResult[],
  timeoutMs = 90_000,
): Promise<string[]> {
  const statuses = new Map<string, string>();
  await waitFor(
    async () => {
      for (const order of accepted) {
        const id = order.body.orderId!;
        if (statuses.get(id) && statuses.get(id) !== 'PENDING_PAYMENT') continue;
        statuses.set(id, await orderStatus(ordersUrl, order.userId, id));
      }
      return [...statuses.values()].every((s) => s !== 'PENDING_PAYMENT');
    },
    { timeoutMs, intervalMs: 250, what: `${accepted.length} orders to reach a final state` },
  );
  return accepted.map((o) => statuses.get(o.body.orderId!)!);
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** The median and p99 checkout latency of a run, in whole ms: the figures every checkout e2e prints. */
export const checkoutLatency = (results: CheckoutResult[]) => {
  const ms = results.map((r) => r.ms);
  return { checkoutP50ms: Math.round(percentile(ms, 50)), checkoutP99ms: Math.round(percentile(ms, 99)) };
};

/** Fires all checkouts at once, spread over the orders replicas. */
export const fireCheckouts = (
  ordersUrls: string[],
  count: number,
  userPrefix: string,
  items: { sku: string; quantity: number }[],
): Promise<CheckoutResult[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      checkout(ordersUrls[i % ordersUrls.length], `${userPrefix}-${i}`, items),
    ),
  );
