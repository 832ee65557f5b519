import { orderTracker, startTracking } from '../order-tracker';
import { badgeClass, describeTracking } from './order';

describe('describeTracking', () => {
  it('says the order waits and how updates arrive', () => {
    const state = orderTracker(startTracking('o1'), { type: 'transport', transport: 'sse' });
    expect(describeTracking(state)).toEqual({
      explanation: 'Waiting for the payment result…',
      updates: 'Live updates (server-sent events)',
    });
    expect(describeTracking(orderTracker(state, { type: 'transport', transport: 'polling' })).updates).toBe(
      'Live stream unavailable: checking every 2 s',
    );
  });

  it('names where a final status came from, with the reason', () => {
    const cancelled = { orderId: 'o1', status: 'CANCELLED', source: 'sse', transport: 'done' } as const;
    expect(describeTracking({ ...cancelled, reason: 'card declined' })).toEqual({
      explanation: 'Cancelled: the payment did not go through, and the items were released. (card declined)',
      updates: 'Outcome pushed live over server-sent events',
    });
    expect(describeTracking(startTracking('o2', 'CONFIRMED', 'poll')).updates).toBe(
      'Outcome read from the order (GET /api/orders/:id)',
    );
  });
});

describe('badgeClass', () => {
  it('adds the status as a lower-case class', () => {
    expect(badgeClass('PENDING_PAYMENT')).toBe('badge pending_payment');
  });
});
