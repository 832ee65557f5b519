import { Inject, Injectable, Logger } from '@nestjs/common';
import { SingleFlight } from '@sdp/cache';
import type { BidAccepted } from '@sdp/contracts';
import type { Identity } from '@sdp/identity';
import { LocalQueue, LockBusyError, LockLostError, LockService, LockUnavailableError } from '@sdp/locks';
import { sleep } from '@sdp/scheduling';
import { randomUUID } from 'node:crypto';
import {
  AuctionEndedError,
  AuctionNotFoundError,
  BidContentionError,
  BidFencedOutError,
  BidTooLowError,
} from '../auctions/auction.errors';
import { AuctionsRepository, type AuctionRecord } from '../auctions/auctions.repository';
import { checkBid, minimumBidCents } from '../auctions/bid-rules';
import { AuctionsMetrics, type BidOutcome } from '../auctions.metrics';
import { AUCTIONS_CONFIG, type AuctionsConfig, type BidStrategy } from '../config';

/** The lock resource for one auction's item: every bid on it is validated and recorded under it. */
export const auctionLock = (auctionId: string): string => `auction:${auctionId}`;

interface Bid {
  auctionId: string;
  userId: string;
  amountCents: number;
}

/** What this replica last saw of an open auction: prices only rise, so a bid below it cannot win. */
interface Floor {
  minimumCents: number;
  currentPriceCents: number | null;
}

/** Open auctions remembered per replica; past this many, the memory starts over (it is only a shortcut). */
const MAX_FLOORS = 10_000;

/**
 * Validates and records bids with the configured BID_STRATEGY (docs/auctions.md):
 *
 *  - lock: the bid is checked and written while holding the auction's lock (Redlock, through
 *    LockService), with a fencing token from Postgres in the conditional UPDATE. Bids of this
 *    replica queue in memory first, so only one per replica contends for the lock, and at its turn
 *    it re-checks the price: in a last-second storm most bids are outbid before they ever reach Redis.
 *  - cas: no distributed lock. Read the row, check, write only if the row's version is still the
 *    one read; on a conflict re-read, re-check and retry (up to CAS_MAX_ATTEMPTS).
 *
 * Either way the UPDATE itself re-checks "open, not ended, at least the minimum": the invariant
 * (accepted bids strictly increase) never rests on the lock or the version alone.
 */
@Injectable()
export class BidsService {
  private readonly logger = new Logger(BidsService.name);
  private readonly queue = new LocalQueue();
  /**
   * The lowest bid each open auction can still accept, as far as this replica has seen. Prices only
   * rise, so a bid below it is refused without a read: in the last-second storm most queued bids
   * are outbid long before their turn, and this spares the database one read for each of them.
   */
  private readonly floors = new Map<string, Floor>();
  /**
   * Pre-checks of one auction share one read while it is in flight: the storm's first 500 bids on
   * a replica cost one query, not 500 queued on the pool ahead of the lock holder's own queries.
   * Never used for the read under the lock or for a compare-and-set, which must be fresh.
   */
  private readonly peeks = new SingleFlight();
  readonly strategy: BidStrategy;

  constructor(
    private readonly auctions: AuctionsRepository,
    private readonly locks: LockService,
    private readonly metrics: AuctionsMetrics,
    @Inject(AUCTIONS_CONFIG) private readonly config: AuctionsConfig,
  ) {
    this.strategy = config.BID_STRATEGY;
  }

  async bid(caller: Identity, auctionId: string, amountCents: number): Promise<BidAccepted> {
    const startedAt = process.hrtime.bigint();
    const bid: Bid = { auctionId, userId: caller.userId, amountCents };
    try {
      // Fast refusal without any lock or retry: already outbid (as far as we know), unknown or over.
      this.refuseBelowFloor(bid);
      checkBid(await this.peek(auctionId), amountCents);
      const accepted = this.strategy === 'lock' ? await this.underLock(bid) : await this.compareAndSet(bid);
      this.metrics.bid(this.strategy, 'accepted', startedAt);
      return accepted;
    } catch (error) {
      const outcome = outcomeOf(error);
      this.metrics.bid(this.strategy, outcome, startedAt);
      if (outcome === 'fenced' || outcome === 'lock_lost')
        this.logger.warn(`bid refused, lock lost: ${(error as Error).message}`);
      throw error;
    }
  }

  private async underLock(bid: Bid): Promise<BidAccepted> {
    const resource = auctionLock(bid.auctionId);
    return this.queue.run([resource], async () => {
      const deadline = Date.now() + this.config.LOCK_WAIT_MS;
      for (let round = 1; ; round++) {
        // At the head of this replica's queue: still worth taking the lock?
        this.refuseBelowFloor(bid);
        checkBid(await this.peek(bid.auctionId), bid.amountCents);
        try {
          return await this.locks.withLock(resource, this.config.LOCK_TTL_MS, async (signal) => {
            // The token is issued after the lock is held, so a later holder always has a larger one.
            const token = await this.auctions.nextFence();
            const fresh = await this.load(bid.auctionId);
            checkBid(fresh, bid.amountCents);
            await this.validate();
            signal.throwIfAborted(); // the lock was lost while we validated: write nothing
            const id = randomUUID();
            const seq = await this.auctions.recordBid({
              ...bid,
              id,
              strategy: 'lock',
              attempts: round,
              guard: { fence: token },
            });
            if (seq !== null) return this.accepted(bid, id, seq, round, fresh.minIncrementCents);
            // Nothing written: say why (ended, outbid, or a newer holder fenced us out).
            const now = await this.load(bid.auctionId);
            checkBid(now, bid.amountCents);
            if (BigInt(now.fence) >= BigInt(token))
              throw new BidFencedOutError(bid.auctionId, token, now.fence);
            throw new Error(`INVARIANT: bid on ${bid.auctionId} neither written nor refused`);
          });
        } catch (error) {
          // The other replica holds the auction: wait in rounds, re-checking the price between them.
          if (!(error instanceof LockBusyError) || Date.now() > deadline) throw error;
        }
      }
    });
  }

  private async compareAndSet(bid: Bid): Promise<BidAccepted> {
    for (let attempt = 1; attempt <= this.config.CAS_MAX_ATTEMPTS; attempt++) {
      const read = await this.load(bid.auctionId);
      checkBid(read, bid.amountCents);
      await this.validate();
      const id = randomUUID();
      const seq = await this.auctions.recordBid({
        ...bid,
        id,
        strategy: 'cas',
        attempts: attempt,
        guard: { version: read.version },
      });
      if (seq !== null) return this.accepted(bid, id, seq, attempt, read.minIncrementCents);
      // Someone else's bid (or the close) changed the row since we read it: re-read and re-check.
      this.metrics.casConflicts.inc();
    }
    throw new BidContentionError(bid.auctionId, this.config.CAS_MAX_ATTEMPTS);
  }

  /** The stand-in for a slow check elsewhere (BID_CHECK_MS): the time the lock is held or the read goes stale. */
  private async validate(): Promise<void> {
    if (this.config.BID_CHECK_MS > 0) await sleep(this.config.BID_CHECK_MS);
  }

  /** A shared, possibly slightly old read: fine for refusing early, never for deciding. */
  private peek(auctionId: string): Promise<AuctionRecord> {
    return this.peeks.run(auctionId, () => this.load(auctionId)).promise;
  }

  private async load(auctionId: string): Promise<AuctionRecord> {
    const auction = await this.auctions.find(auctionId);
    if (!auction) throw new AuctionNotFoundError(auctionId);
    if (auction.status !== 'OPEN' || auction.ended) this.floors.delete(auctionId);
    else
      this.raiseFloor(auctionId, {
        minimumCents: minimumBidCents(auction),
        currentPriceCents: auction.currentPriceCents,
      });
    return auction;
  }

  private raiseFloor(auctionId: string, floor: Floor): void {
    if (floor.minimumCents <= (this.floors.get(auctionId)?.minimumCents ?? 0)) return;
    if (this.floors.size >= MAX_FLOORS) this.floors.clear();
    this.floors.set(auctionId, floor);
  }

  private refuseBelowFloor(bid: Bid): void {
    const floor = this.floors.get(bid.auctionId);
    if (floor && bid.amountCents < floor.minimumCents)
      throw new BidTooLowError(bid.auctionId, bid.amountCents, floor.minimumCents, floor.currentPriceCents);
  }

  private accepted(bid: Bid, bidId: string, seq: number, attempts: number, increment: number): BidAccepted {
    this.raiseFloor(bid.auctionId, {
      minimumCents: bid.amountCents + increment,
      currentPriceCents: bid.amountCents,
    });
    return {
      bidId,
      auctionId: bid.auctionId,
      amountCents: bid.amountCents,
      seq,
      strategy: this.strategy,
      attempts,
    };
  }
}

function outcomeOf(error: unknown): BidOutcome {
  if (error instanceof BidTooLowError) return 'too_low';
  if (error instanceof AuctionEndedError) return 'ended';
  if (error instanceof AuctionNotFoundError) return 'not_found';
  if (error instanceof BidContentionError) return 'contention';
  if (error instanceof BidFencedOutError) return 'fenced';
  if (error instanceof LockUnavailableError) return 'lock_unavailable';
  if (error instanceof LockBusyError) return 'lock_busy';
  if (error instanceof LockLostError) return 'lock_lost';
  return 'error';
}
