import type { ReservationRequest } from '@sdp/contracts';
import { LocalQueue, LockBusyError, type LockService } from '@sdp/locks';
import type { InventoryConfig } from '../../config';
import type { ReservationsRepository, ReserveResult } from '../reservations.repository';
import type { HoldStrategy } from './hold-strategy';

/** The lock resource for one SKU's stock row. */
export const stockLock = (sku: string): string => `stock:${sku}`;

/**
 * One Redlock lock per distinct SKU, taken in sorted order (no deadlock), a fencing token per lock
 * from Postgres, then the fenced conditional UPDATE: the lock makes contention rare, the fence makes
 * a lock lost to a pause harmless.
 */
export class RedlockHoldStrategy implements HoldStrategy {
  readonly name = 'redlock';
  readonly precheck = true;
  private readonly queue = new LocalQueue();

  constructor(
    private readonly reservations: ReservationsRepository,
    private readonly locks: LockService,
    private readonly config: InventoryConfig,
    private readonly refuseIfUnavailable: (items: ReservationRequest['items']) => Promise<void>,
  ) {}

  hold(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult> {
    // Requests of this replica for the same SKUs queue in memory; only the head of the queue
    // contends for the distributed lock. At its turn it re-checks the stock first: in a flash sale,
    // once the last unit is held, everyone still queued hears "out of stock" without touching Redis.
    return this.queue.run(
      items.map((i) => stockLock(i.sku)),
      async () => {
        await this.refuseIfUnavailable(items);
        return this.holdUntilDeadline(request, items, requestId);
      },
    );
  }

  /** Another replica may hold a SKU: retry in rounds until LOCK_WAIT_MS, re-checking stock between rounds. */
  private async holdUntilDeadline(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult> {
    const deadline = Date.now() + this.config.LOCK_WAIT_MS;
    for (;;) {
      try {
        return await this.holdUnderLocks(request, items, requestId);
      } catch (error) {
        if (!(error instanceof LockBusyError) || Date.now() > deadline) throw error;
        await this.refuseIfUnavailable(items);
      }
    }
  }

  private holdUnderLocks(
    request: ReservationRequest,
    items: ReservationRequest['items'],
    requestId?: string,
  ): Promise<ReserveResult> {
    return this.locks.withLocks(
      items.map((i) => stockLock(i.sku)),
      this.config.LOCK_TTL_MS,
      async (signal) => {
        // Tokens are issued after every lock is held, so a later holder always has larger ones.
        const tokens = await this.reservations.nextFences(items.length);
        signal.throwIfAborted();
        return this.reservations.reserve({
          orderId: request.orderId,
          items,
          guard: { kind: 'fenced', tokens: new Map(items.map((item, i) => [item.sku, tokens[i]])) },
          ttlSeconds: this.config.RESERVATION_TTL_SECONDS,
          requestId,
          signal,
        });
      },
    );
  }
}
