import type { OrderStatus } from './api';

/** How the page currently learns about the order's outcome. */
export type Transport = 'connecting' | 'sse' | 'polling' | 'done';

export interface OrderTrackerState {
  orderId: string;
  status: OrderStatus;
  transport: Transport;
  reason?: string;
  /** Where the current status came from: the checkout answer, the SSE push or a GET of the order. */
  source: StatusSource;
}

export type StatusSource = 'checkout' | 'sse' | 'poll';

export type OrderTrackerAction =
  | { type: 'status'; status: OrderStatus; source: StatusSource; reason?: string }
  | { type: 'transport'; transport: Exclude<Transport, 'done'> };

export const isFinal = (status: OrderStatus): boolean => status === 'CONFIRMED' || status === 'CANCELLED';

export function startTracking(
  orderId: string,
  status: OrderStatus = 'PENDING_PAYMENT',
  source: StatusSource = 'checkout',
): OrderTrackerState {
  return { orderId, status, source, transport: isFinal(status) ? 'done' : 'connecting' };
}

/**
 * Outcomes arrive from two sources that can race (the SSE push and a poll answered a moment
 * earlier). The saga only moves forward, so a final status is never replaced, and once final
 * the page stops listening.
 */
export function orderTracker(state: OrderTrackerState, action: OrderTrackerAction): OrderTrackerState {
  if (isFinal(state.status)) return state;
  switch (action.type) {
    case 'status':
      if (action.status === state.status) return state;
      return {
        ...state,
        status: action.status,
        source: action.source,
        reason: action.reason,
        transport: isFinal(action.status) ? 'done' : state.transport,
      };
    case 'transport':
      return state.transport === action.transport ? state : { ...state, transport: action.transport };
  }
}
