import type { Order, OrderStatus } from './api';
import { streamUrl, watchOrder, type EventSourceLike } from './order-watch';

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  closed = false;
  onopen: EventSourceLike['onopen'] = null;
  onerror: EventSourceLike['onerror'] = null;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.call(this as unknown as EventSource, new Event('open'));
  }

  fail(): void {
    this.onerror?.call(this as unknown as EventSource, new Event('error'));
  }

  emit(type: string, data: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) } as MessageEvent<string>);
  }
}

function order(status: OrderStatus): Order {
  return {
    id: 'o-1',
    status,
    items: [{ sku: 'SKU-1', quantity: 1, priceCents: 100 }],
    totalCents: 100,
    createdAt: '',
  };
}

function setup(statuses: OrderStatus[]) {
  const seen: string[] = [];
  const transports: string[] = [];
  const sources: FakeEventSource[] = [];
  let fetches = 0;
  const stop = watchOrder({
    orderId: 'o-1',
    token: 'a.b+c',
    pollMs: 2_000,
    onStatus: (s, source) => seen.push(`${s}:${source}`),
    onTransport: (t) => transports.push(t),
    fetchOrder: () => Promise.resolve(order(statuses[Math.min(fetches++, statuses.length - 1)])),
    openStream: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source;
    },
  });
  return { seen, transports, sources, stop, fetches: () => fetches };
}

const flush = () =>
  new Promise<void>((resolve) => jest.requireActual<typeof import('timers')>('timers').setImmediate(resolve));

describe('watchOrder', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('passes the token in the stream URL (EventSource cannot send headers)', () => {
    expect(streamUrl('a.b+c')).toBe('/api/notifications/stream?access_token=a.b%2Bc');
    const { sources } = setup(['PENDING_PAYMENT']);
    expect(sources[0].url).toBe('/api/notifications/stream?access_token=a.b%2Bc');
  });

  it('takes the outcome for its own order from SSE and then closes the stream', async () => {
    const w = setup(['PENDING_PAYMENT']);
    w.sources[0].open();
    await flush();
    expect(w.transports).toEqual(['sse']);
    w.sources[0].emit('order.confirmed', { orderId: 'someone-else', status: 'CONFIRMED' });
    expect(w.seen).toEqual(['PENDING_PAYMENT:poll']);
    w.sources[0].emit('order.confirmed', { orderId: 'o-1', status: 'CONFIRMED' });
    expect(w.seen).toEqual(['PENDING_PAYMENT:poll', 'CONFIRMED:sse']);
    expect(w.sources[0].closed).toBe(true);
  });

  it('catches an outcome pushed before the stream connected by reading the order on open', async () => {
    const w = setup(['CANCELLED']);
    w.sources[0].open();
    await flush();
    expect(w.seen).toEqual(['CANCELLED:poll']);
    expect(w.sources[0].closed).toBe(true);
  });

  it('falls back to polling every 2 s when the stream fails, until the order is final', async () => {
    const w = setup(['PENDING_PAYMENT', 'PENDING_PAYMENT', 'CONFIRMED']);
    w.sources[0].fail();
    await flush();
    expect(w.transports).toEqual(['polling']);
    expect(w.sources[0].closed).toBe(true);
    expect(w.fetches()).toBe(1);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(w.fetches()).toBe(2);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(w.fetches()).toBe(3);
    expect(w.seen).toEqual(['PENDING_PAYMENT:poll', 'PENDING_PAYMENT:poll', 'CONFIRMED:poll']);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(w.fetches()).toBe(3);
  });

  it('stops everything when the page leaves', async () => {
    const w = setup(['PENDING_PAYMENT']);
    w.sources[0].fail();
    await flush();
    w.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(w.fetches()).toBe(1);
  });
});
