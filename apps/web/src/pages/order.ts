// #/orders/:id — one order, its status badge moving PENDING_PAYMENT → CONFIRMED / CANCELLED live.
// order-watch.ts brings the outcome (SSE, read once on open, polling as the fallback);
// order-tracker.ts keeps the status moving forward only; this page only draws the state.
import { ApiError, type Delivery, type Order, type OrderStatus } from '../api';
import type { PageContext, StillCurrent } from '../context';
import { h, replace } from '../dom';
import { describeDelivery } from '../delivery-status';
import { describeError } from '../errors';
import { formatCents } from '../money';
import { orderTracker, startTracking, type OrderTrackerState } from '../order-tracker';
import { watchOrder } from '../order-watch';

const STATUS_TEXT: Record<OrderStatus, string> = {
  PENDING_PAYMENT: 'Waiting for the payment result…',
  CONFIRMED: 'Paid and confirmed. Thank you!',
  CANCELLED: 'Cancelled: the payment did not go through, and the items were released.',
};

const TRANSPORT_TEXT: Record<OrderTrackerState['transport'], string> = {
  connecting: 'Connecting for live updates…',
  sse: 'Live updates (server-sent events)',
  polling: 'Live stream unavailable: checking every 2 s',
  done: 'Final status',
};

const FINAL_SOURCE_TEXT: Record<OrderTrackerState['source'], string> = {
  checkout: 'Final status',
  sse: 'Outcome pushed live over server-sent events',
  poll: 'Outcome read from the order (GET /api/orders/:id)',
};

/** The status badge's classes (styles.css colours each status). */
export const badgeClass = (status: OrderStatus): string => `badge ${status.toLowerCase()}`;

/** The two lines under the badge: what the status means, and how the page learns of changes. */
export function describeTracking(state: OrderTrackerState): { explanation: string; updates: string } {
  return {
    explanation: state.reason ? `${STATUS_TEXT[state.status]} (${state.reason})` : STATUS_TEXT[state.status],
    updates: state.transport === 'done' ? FINAL_SOURCE_TEXT[state.source] : TRANSPORT_TEXT[state.transport],
  };
}

export async function renderOrder(ctx: PageContext, id: string, current: StillCurrent): Promise<void> {
  const token = ctx.session.token;
  if (!token) return;
  const status = h('span', { class: 'badge', testid: 'order-status' });
  const explanation = h('p', { testid: 'order-status-text' });
  const transport = h('p', { class: 'muted', testid: 'order-updates' });
  const details = h('section', { 'aria-label': 'Items' });
  const courier = h('p', { testid: 'order-delivery' }, '');
  // Straight from checkout, the 202's status is the starting point: no need to read the order first.
  const fromCheckout = ctx.checkout.last?.orderId === id ? ctx.checkout.last : null;
  let state: OrderTrackerState = startTracking(id, fromCheckout?.status ?? 'PENDING_PAYMENT');
  const show = (): void => {
    const text = describeTracking(state);
    status.textContent = state.status;
    status.dataset.status = state.status;
    status.dataset.source = state.source;
    status.className = badgeClass(state.status);
    explanation.textContent = text.explanation;
    transport.textContent = text.updates;
    transport.dataset.transport = state.transport;
  };
  replace(
    ctx.view,
    h('h1', {}, 'Order ', h('code', { testid: 'order-id' }, id)),
    h('p', { class: 'status-line', 'aria-live': 'polite' }, 'Status: ', status),
    explanation,
    transport,
    h('h2', {}, 'Delivery'),
    courier,
    details,
  );
  show();
  ctx.onLeave(trackDelivery(ctx, id, () => state.status, courier));

  let order: Order | null = null;
  if (!fromCheckout) {
    order = await ctx.api.order(id);
    if (!current()) return;
    state = startTracking(id, order.status, 'poll');
    show();
  }
  if (state.transport !== 'done') {
    ctx.onLeave(
      watchOrder({
        orderId: id,
        token,
        fetchOrder: (orderId) => ctx.api.order(orderId),
        onStatus: (next, source, reason) => {
          state = orderTracker(state, { type: 'status', status: next, source, reason });
          show();
        },
        onTransport: (next) => {
          state = orderTracker(state, { type: 'transport', transport: next });
          show();
        },
      }),
    );
  }
  try {
    order ??= await ctx.api.order(id);
    if (!current()) return;
    replace(
      details,
      h('h2', {}, 'Items'),
      h(
        'ul',
        { testid: 'order-items' },
        order.items.map((line) => h('li', {}, `${line.quantity} × `, h('code', {}, line.sku))),
      ),
      h('p', {}, 'Total: ', h('strong', { testid: 'order-total' }, formatCents(order.totalCents))),
    );
  } catch (error) {
    if (current())
      replace(details, h('p', { class: 'muted' }, `Order details unavailable: ${describeError(error)}`));
  }
}

const DELIVERY_POLL_MS = 2_000;

/** Polls the order's delivery (courier assigned, delivered) until it is delivered or the page is left. */
function trackDelivery(
  ctx: PageContext,
  orderId: string,
  orderStatus: () => OrderStatus,
  line: HTMLElement,
): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const tick = async (): Promise<void> => {
    let delivery: Delivery | null = null;
    try {
      delivery = await ctx.api.delivery(orderId);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        if (!stopped) line.textContent = `Delivery status unavailable: ${describeError(error)}`;
        if (!stopped) timer = setTimeout(() => void tick(), DELIVERY_POLL_MS);
        return;
      }
    }
    if (stopped) return;
    const described = describeDelivery(delivery, orderStatus());
    line.textContent = described.text;
    line.dataset.status = delivery?.status ?? 'NONE';
    if (described.pollAgain) timer = setTimeout(() => void tick(), DELIVERY_POLL_MS);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
