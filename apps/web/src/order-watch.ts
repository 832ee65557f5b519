import type { Order, OrderStatus } from './api';

/** The subset of EventSource the watcher uses (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((this: EventSource, ev: Event) => unknown) | null;
  onerror: ((this: EventSource, ev: Event) => unknown) | null;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export interface WatchOptions {
  orderId: string;
  token: string;
  onStatus: (status: OrderStatus, source: 'sse' | 'poll', reason?: string) => void;
  onTransport: (transport: 'sse' | 'polling') => void;
  fetchOrder: (id: string) => Promise<Order>;
  openStream?: (url: string) => EventSourceLike;
  pollMs?: number;
}

/** SSE event names sent by notifications (the Kafka event types). */
export const OUTCOME_EVENTS = ['order.confirmed', 'order.cancelled'] as const;

/** EventSource cannot send an Authorization header, so the gateway accepts the JWT in the query on this one route. */
export function streamUrl(token: string): string {
  return `/api/notifications/stream?access_token=${encodeURIComponent(token)}`;
}

function parseOutcome(data: string): { orderId?: string; status?: OrderStatus; reason?: string } {
  try {
    const parsed = JSON.parse(data) as { orderId?: unknown; status?: unknown; reason?: unknown };
    return {
      orderId: typeof parsed.orderId === 'string' ? parsed.orderId : undefined,
      status:
        parsed.status === 'CONFIRMED' || parsed.status === 'CANCELLED' || parsed.status === 'PENDING_PAYMENT'
          ? parsed.status
          : undefined,
      reason: typeof parsed.reason === 'string' ? parsed.reason : undefined,
    };
  } catch {
    return {};
  }
}

/**
 * Watches one order until it leaves PENDING_PAYMENT: live over SSE, and if the stream fails
 * (closed, refused, proxy without streaming) by polling GET /api/orders/:id every 2 s.
 * Returns a stop function.
 */
export function watchOrder(options: WatchOptions): () => void {
  const pollMs = options.pollMs ?? 2_000;
  const open = options.openStream ?? ((url: string) => new EventSource(url));
  let stopped = false;
  let source: EventSourceLike | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const finish = (status: OrderStatus, source: 'sse' | 'poll', reason?: string): void => {
    if (stopped) return;
    options.onStatus(status, source, reason);
    if (status !== 'PENDING_PAYMENT') stop();
  };

  const check = async (): Promise<void> => {
    try {
      const order = await options.fetchOrder(options.orderId);
      finish(order.status, 'poll');
    } catch {
      // A failed poll is retried on the next tick; the page keeps showing the last known status.
    }
  };

  const poll = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void check().then(poll);
    }, pollMs);
  };

  const fallBackToPolling = (): void => {
    if (stopped || timer !== null) return;
    source?.close();
    source = null;
    options.onTransport('polling');
    void check().then(poll);
  };

  function stop(): void {
    stopped = true;
    source?.close();
    source = null;
    if (timer !== null) clearTimeout(timer);
  }

  try {
    source = open(streamUrl(options.token));
  } catch {
    fallBackToPolling();
    return stop;
  }
  source.onopen = () => {
    options.onTransport('sse');
    // The outcome may have been pushed before this stream connected: read the order once.
    void check();
  };
  // EventSource retries on its own, but an error can also mean 401 or no streaming on the path;
  // a 2 s poll is always correct, so any stream failure switches to it for this order.
  source.onerror = () => fallBackToPolling();
  for (const type of OUTCOME_EVENTS) {
    source.addEventListener(type, (event) => {
      const outcome = parseOutcome(event.data);
      if (outcome.orderId !== options.orderId) return;
      finish(
        outcome.status ?? (type === 'order.confirmed' ? 'CONFIRMED' : 'CANCELLED'),
        'sse',
        outcome.reason,
      );
    });
  }
  return stop;
}
