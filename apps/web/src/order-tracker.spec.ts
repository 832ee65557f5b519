import { orderTracker, startTracking } from './order-tracker';

describe('orderTracker', () => {
  it('moves PENDING_PAYMENT to CONFIRMED and marks the watch done', () => {
    let state = startTracking('o-1');
    expect(state).toEqual({
      orderId: 'o-1',
      status: 'PENDING_PAYMENT',
      source: 'checkout',
      transport: 'connecting',
    });
    state = orderTracker(state, { type: 'transport', transport: 'sse' });
    state = orderTracker(state, { type: 'status', status: 'CONFIRMED', source: 'sse' });
    expect(state).toMatchObject({ status: 'CONFIRMED', source: 'sse', transport: 'done' });
  });

  it('never replaces a final status (a late poll or duplicate event)', () => {
    let state = orderTracker(startTracking('o-1'), {
      type: 'status',
      status: 'CANCELLED',
      source: 'poll',
      reason: 'card declined',
    });
    const final = state;
    state = orderTracker(state, { type: 'status', status: 'PENDING_PAYMENT', source: 'poll' });
    state = orderTracker(state, { type: 'status', status: 'CONFIRMED', source: 'sse' });
    state = orderTracker(state, { type: 'transport', transport: 'polling' });
    expect(state).toBe(final);
    expect(state).toMatchObject({ status: 'CANCELLED', reason: 'card declined', transport: 'done' });
  });

  it('records the switch from SSE to polling and returns the same object when nothing changes', () => {
    const polling = orderTracker(startTracking('o-2'), { type: 'transport', transport: 'polling' });
    expect(polling.transport).toBe('polling');
    expect(orderTracker(polling, { type: 'transport', transport: 'polling' })).toBe(polling);
    expect(orderTracker(polling, { type: 'status', status: 'PENDING_PAYMENT', source: 'poll' })).toBe(
      polling,
    );
  });

  it('starts done for an order that is already final', () => {
    expect(startTracking('o-3', 'CONFIRMED').transport).toBe('done');
  });
});
