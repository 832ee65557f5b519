import type { ReservationRequest } from '@sdp/contracts';
import type { ReserveResult } from '../reservations.repository';

// Four ways to hold stock in a flash sale, selectable per run with RESERVATION_STRATEGY (no code
// edits): the study experiment of docs/distributed-locks.md, "When do you need a distributed lock
// at all?". Every one of them must keep the same invariant: never more held than on hand.
export const reservationStrategies = [
  /** Redlock per SKU (sorted), a Postgres fencing token, a fenced conditional UPDATE. The default. */
  'redlock',
  /** No distributed lock: the conditional UPDATE alone; Postgres's row lock is the arbiter. */
  'conditional-update',
  /** No distributed lock: SELECT ... FOR UPDATE, check in the application, UPDATE. */
  'select-for-update',
  /** Available units counted in Redis by an atomic Lua script; Postgres's conditional UPDATE backs it. */
  'redis-counter',
] as const;

export type ReservationStrategyName = (typeof reservationStrategies)[number];

/** Lines sorted by SKU; the caller already refused replays and (where the strategy wants it) empty stock. */
export interface HoldStrategy {
  readonly name: ReservationStrategyName;
  /** Whether the service should check stock with a plain SELECT before calling hold(). */
  readonly precheck: boolean;
  /** An admin set the SKU's on-hand: drop whatever the strategy keeps about it outside Postgres. */
  stockSet?(sku: string): Promise<void>;
  hold(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult>;
}

export const HOLD_STRATEGY = Symbol('HOLD_STRATEGY');
