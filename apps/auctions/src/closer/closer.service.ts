import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuctionClosed, type CloseAuctionsResult } from '@sdp/contracts';
import { LockService } from '@sdp/locks';
import { appendToOutbox } from '@sdp/outbox';
import { PeriodicTask } from '@sdp/scheduling';
import { DataSource } from 'typeorm';
import { AuctionsRepository, type AuctionRecord } from '../auctions/auctions.repository';
import { AuctionsMetrics } from '../auctions.metrics';
import { AUCTIONS_CONFIG, type AuctionsConfig } from '../config';

export const CLOSER_LOCK = 'cron:auction-closer';
const BATCH = 100;

/**
 * Distributed cron: every replica ticks, only the one that wins the cron lock closes auctions. The
 * lock only saves duplicate work: closing is a conditional UPDATE (status OPEN → CLOSED, end passed)
 * in the same transaction as the auction.closed outbox row, so even two closers at once (a lock
 * lost mid-run) close each auction, and announce it, exactly once.
 */
@Injectable()
export class CloserService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CloserService.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly locks: LockService,
    private readonly dataSource: DataSource,
    private readonly auctions: AuctionsRepository,
    private readonly metrics: AuctionsMetrics,
    @Inject(AUCTIONS_CONFIG) private readonly config: AuctionsConfig,
  ) {
    this.task = new PeriodicTask({
      run: () => this.runOnce(),
      intervalMs: config.CLOSER_INTERVAL_MS,
      onError: (error) => this.logger.warn(`closing job failed, next tick retries: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** One tick: close every ended auction if this replica wins the cron lock, else skip. */
  async runOnce(): Promise<CloseAuctionsResult> {
    const instanceId = this.config.INSTANCE_ID;
    const outcome = await this.locks.tryOnce(CLOSER_LOCK, this.config.LOCK_TTL_MS, async (signal) => {
      let closed = 0;
      for (;;) {
        signal.throwIfAborted(); // lock lost: stop; the next winner carries on
        const due = await this.auctions.dueForClosing(BATCH);
        for (const id of due) if (await this.closeOne(id)) closed++;
        if (due.length < BATCH) return closed;
      }
    });
    if (!outcome.ran) {
      this.metrics.closerRuns.inc({ outcome: 'skipped' });
      return { ran: false, instanceId, closed: 0, reason: outcome.reason };
    }
    this.metrics.closerRuns.inc({ outcome: 'ran' });
    return { ran: true, instanceId, closed: outcome.value };
  }

  private async closeOne(id: string): Promise<boolean> {
    const closed = await this.dataSource.transaction(async (manager) => {
      const auction = await this.auctions.close(manager, id);
      if (!auction) return null; // closed meanwhile by another closer: nothing to announce
      const event = AuctionClosed.create(id, closedEventData(auction));
      await appendToOutbox(manager, this.config.DB_SCHEMA, event.type, event);
      return auction;
    });
    if (!closed) return false;
    this.metrics.closed.inc({ result: closed.winnerId ? 'won' : 'no_bids' });
    this.logger.log(
      closed.winnerId
        ? `auction ${id} (${closed.sku}) closed: ${closed.winnerId} wins at ${closed.winningPriceCents} after ${closed.bidCount} bid(s)`
        : `auction ${id} (${closed.sku}) closed without bids`,
    );
    return true;
  }
}

const closedEventData = (auction: AuctionRecord) => ({
  auctionId: auction.id,
  sku: auction.sku,
  winner:
    auction.winnerId && auction.winningBidId && auction.winningPriceCents !== null
      ? { userId: auction.winnerId, bidId: auction.winningBidId, priceCents: auction.winningPriceCents }
      : null,
  bidCount: auction.bidCount,
  endsAt: auction.endsAt.toISOString(),
  closedAt: (auction.closedAt ?? new Date()).toISOString(),
});
