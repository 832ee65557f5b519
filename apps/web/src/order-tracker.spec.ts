import { orderTracker, startTracking } from './order-tracker';

describe('orderTracker', () => {
  it('moves PENDING_PAYMENT to CONFIRMED and marks the watch done', () => {
    let state = startTracking('o-1');
    expect(state).toEqual({ orderId: 'o-1', status: 'PENDING_PAYMENT', transport: 'connecting' });
    state = orderTracker(state, { type: 'transport', transport: 'sse' });
    state = orderTracker(state, { type: 'status', status: 'CONFIRMED' });
    expect(state).toMatchObject({ status: 'CONFIRMED', transport: 'done' });
  });

  it('never replaces a final status (a late poll or duplicate event)', () => {
    let state = orderTracker(startTracking('o-1'), {
      type: 'status',
      status: 'CANCELLED',
      reason: 'card declined',
    });
    const final = state;
    state = orderTracker(state, { type: 'status', status: 'PENDING_PAYMENT' });
    state = orderTracker(state, { type: 'status', status: 'CONFIRMED' });
    state = orderTracker(state, { type: 'transport', transport: 'polling' });
    expect(state).toBe(final);
    expect(state).toMatchObject({ status: 'CANCELLED', reason: 'card declined', transport: 'done' });
  });

  it('records the switch from SSE to polling and returns the same object when nothing changes', () => {
    const polling = orderTracker(startTracking('o-2'), { type: 'transport', transport: 'polling' });
    expect(polling.transport).toBe('polling');
    expect(orderTracker(polling, { type: 'transport', transport: 'polling' })).toBe(polling);
    expect(orderTracker(polling, { type: 'status', status: 'PENDING_PAYMENT' })).toBe(polling);
  });

  it('starts done for an order that is already final', () => {
    expect(startTracking('o-3', 'CONFIRMED').transport).toBe('done');
  });
});
