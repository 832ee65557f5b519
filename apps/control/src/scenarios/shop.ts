import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sleep } from '@sdp/scheduling';
import { StackClient, type StackResponse } from './stack-client';

// What the shop scenarios do to the stack, through the lb like any service call: pick a product,
// read and set its stock (as an admin), check out as a simulated customer, wait for orders to settle.

export interface StockView {
  sku: string;
  onHand: number;
  reserved: number;
  sold: number;
  available: number;
}

export interface Buyer {
  userId: string;
  role: 'customer';
}

/** 202: the order; otherwise the one error body (message names the problem). */
export interface CheckoutBody {
  orderId: string;
  message?: string;
}

export const ADMIN = { userId: 'control-admin', role: 'admin' as const };
const SETTLE_TIMEOUT_MS = 90_000;

@Injectable()
export class Shop {
  constructor(private readonly stack: StackClient) {}

  /** The first product of the catalog (the scenarios' subject). */
  async firstProduct(): Promise<{ id: number; sku: string; name: string }> {
    const page = await this.stack.call<{ items: { id: number; sku: string; name: string }[] }>(
      'GET',
      '/catalog/products?limit=1&page=1',
    );
    const product = page.status === 200 ? page.body.items[0] : undefined;
    if (!product) throw new Error(`no product to sell (catalog answered ${page.status})`);
    return product;
  }

  async stock(sku: string): Promise<StockView> {
    const response = await this.stack.call<StockView>('GET', `/inventory/stock/${encodeURIComponent(sku)}`);
    if (response.status !== 200) throw new Error(`inventory answered ${response.status} for ${sku}`);
    return response.body;
  }

  async setOnHand(sku: string, onHand: number): Promise<void> {
    const response = await this.stack.call('PUT', `/inventory/stock/${encodeURIComponent(sku)}`, {
      as: ADMIN,
      body: { onHand: Math.max(0, onHand) },
    });
    if (response.status !== 200)
      throw new Error(`setting stock of ${sku} failed: ${response.status} ${JSON.stringify(response.body)}`);
  }

  /** Puts `available` back to what it was (the units a scenario sold or held go back on the shelf). */
  async restoreAvailable(sku: string, available: number): Promise<void> {
    const now = await this.stock(sku);
    await this.setOnHand(sku, now.onHand + (available - now.available));
  }

  /** One checkout of one unit; status 0 when the call itself failed. The same key retries it. */
  checkout(buyer: Buyer, sku: string, key: string = randomUUID()): Promise<StackResponse<CheckoutBody>> {
    return this.stack
      .call<CheckoutBody>('POST', '/orders/checkout', {
        as: buyer,
        body: { items: [{ sku, quantity: 1 }] },
        headers: { 'idempotency-key': key },
        timeoutMs: 30_000,
      })
      .catch(() => ({ status: 0, body: { orderId: '' }, ms: 0 }));
  }

  /** How many orders the buyer has (GET /orders as the buyer). */
  async orderCount(buyer: Buyer): Promise<number> {
    const response = await this.stack.call<{ items: unknown[] }>('GET', '/orders/orders', { as: buyer });
    if (response.status !== 200)
      throw new Error(`orders answered ${response.status} to ${buyer.userId}'s list`);
    return response.body.items.length;
  }

  /** Each order's final status (CONFIRMED or CANCELLED), or PENDING_PAYMENT if it did not settle in time. */
  async settle(
    orders: { buyer: Buyer; orderId: string }[],
    timeoutMs = SETTLE_TIMEOUT_MS,
  ): Promise<string[]> {
    const status = new Map<string, string>();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const pending = orders.filter((o) => !['CONFIRMED', 'CANCELLED'].includes(status.get(o.orderId) ?? ''));
      if (pending.length === 0) break;
      await Promise.all(
        pending.map(async ({ buyer, orderId }) => {
          const response = await this.stack
            .call<{ status: string }>('GET', `/orders/orders/${orderId}`, { as: buyer })
            .catch(() => undefined);
          if (response?.status === 200) status.set(orderId, response.body.status);
        }),
      );
      await sleep(500);
    }
    return orders.map((o) => status.get(o.orderId) ?? 'PENDING_PAYMENT');
  }
}
