import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AUCTIONS_CONFIG, type AuctionsConfig, type BidStrategy } from '../config';
import type { BiddableAuction } from './bid-rules';

export interface AuctionRecord extends BiddableAuction {
  sku: string;
  leaderId: string | null;
  bidCount: number;
  /** Bumped by every accepted bid: what BID_STRATEGY=cas compares. */
  version: string;
  /** The last lock holder's fencing token (BID_STRATEGY=lock). */
  fence: string;
  winnerId: string | null;
  winningBidId: string | null;
  winningPriceCents: number | null;
  closedAt: Date | null;
}

export interface BidRecord {
  id: string;
  seq: number;
  userId: string;
  amountCents: number;
  createdAt: Date;
}

export interface NewAuction {
  id: string;
  sku: string;
  startPriceCents: number;
  minIncrementCents: number;
  endsAt: Date;
  createdBy: string;
}

export interface NewBid {
  id: string;
  auctionId: string;
  userId: string;
  amountCents: number;
  strategy: BidStrategy;
  attempts: number;
  /** What the write is conditional on, besides the price: our fencing token, or the version we read. */
  guard: { fence: string } | { version: string };
}

interface AuctionRow {
  id: string;
  sku: string;
  status: 'OPEN' | 'CLOSED';
  ended: boolean;
  ends_at: Date;
  start_price_cents: number;
  min_increment_cents: number;
  current_price_cents: number | null;
  leader_id: string | null;
  bid_count: number;
  version: string;
  fence: string;
  winner_id: string | null;
  winning_bid_id: string | null;
  winning_price_cents: number | null;
  closed_at: Date | null;
}

const toRecord = (r: AuctionRow): AuctionRecord => ({
  id: r.id,
  sku: r.sku,
  status: r.status,
  ended: r.ended,
  endsAt: r.ends_at,
  startPriceCents: r.start_price_cents,
  minIncrementCents: r.min_increment_cents,
  currentPriceCents: r.current_price_cents,
  leaderId: r.leader_id,
  bidCount: r.bid_count,
  version: r.version,
  fence: r.fence,
  winnerId: r.winner_id,
  winningBidId: r.winning_bid_id,
  winningPriceCents: r.winning_price_cents,
  closedAt: r.closed_at,
});

const COLUMNS = `id, sku, status, ends_at <= clock_timestamp() AS ended, ends_at, start_price_cents,
  min_increment_cents, current_price_cents, leader_id, bid_count, version::text AS version,
  fence::text AS fence, winner_id, winning_bid_id, winning_price_cents, closed_at`;

/** Auctions and bids in plain SQL: the conditional UPDATEs are the lesson. */
@Injectable()
export class AuctionsRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUCTIONS_CONFIG) config: AuctionsConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  private get auctions(): string {
    return `"${this.schema}".auctions`;
  }

  private get bids(): string {
    return `"${this.schema}".bids`;
  }

  async insert(auction: NewAuction): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.auctions} (id, sku, start_price_cents, min_increment_cents, ends_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        auction.id,
        auction.sku,
        auction.startPriceCents,
        auction.minIncrementCents,
        auction.endsAt,
        auction.createdBy,
      ],
    );
  }

  async find(id: string, db: DataSource | EntityManager = this.dataSource): Promise<AuctionRecord | null> {
    const rows: AuctionRow[] = await db.query(`SELECT ${COLUMNS} FROM ${this.auctions} WHERE id = $1`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async topBids(auctionId: string, limit: number): Promise<BidRecord[]> {
    const rows: { id: string; seq: number; user_id: string; amount_cents: number; created_at: Date }[] =
      await this.dataSource.query(
        `SELECT id, seq, user_id, amount_cents, created_at FROM ${this.bids}
         WHERE auction_id = $1 ORDER BY amount_cents DESC, seq DESC LIMIT $2`,
        [auctionId, limit],
      );
    return rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      userId: r.user_id,
      amountCents: r.amount_cents,
      createdAt: r.created_at,
    }));
  }

  /** A fencing token from Postgres: strictly increasing across every replica. Take it after locking. */
  async nextFence(): Promise<string> {
    const rows: { token: string }[] = await this.dataSource.query(
      `SELECT nextval('"${this.schema}".fence_seq')::text AS token`,
    );
    return rows[0].token;
  }

  /**
   * Records a bid in ONE statement: the auction row moves to the new price only if the auction is
   * open, its end (by the database's clock) has not passed, the bid is at least the minimum
   * against the price in the row NOW, and the guard holds (our fencing token is newer than the
   * last writer's, or the version is the one we read); the bid row is inserted from the moved row.
   * So the accepted sequence can only rise, whatever the caller's lock did. Returns the bid's seq,
   * or null when nothing was written (the caller re-reads to say why).
   */
  async recordBid(bid: NewBid): Promise<number | null> {
    const fence = 'fence' in bid.guard ? bid.guard.fence : null;
    const version = 'version' in bid.guard ? bid.guard.version : null;
    const rows: { seq: number }[] = await this.dataSource.query(
      `WITH moved AS (
         UPDATE ${this.auctions}
            SET current_price_cents = $3, leader_id = $2, leading_bid_id = $4,
                bid_count = bid_count + 1, version = version + 1, fence = COALESCE($5::bigint, fence)
          WHERE id = $1 AND status = 'OPEN' AND ends_at > clock_timestamp()
            AND $3 >= COALESCE(current_price_cents + min_increment_cents, start_price_cents)
            AND ($5::bigint IS NULL OR fence < $5::bigint)
            AND ($6::bigint IS NULL OR version = $6::bigint)
          RETURNING bid_count)
       INSERT INTO ${this.bids} (id, auction_id, seq, user_id, amount_cents, strategy, attempts)
       SELECT $4, $1, bid_count, $2, $3, $7, $8 FROM moved
       RETURNING seq`,
      [bid.auctionId, bid.userId, bid.amountCents, bid.id, fence, version, bid.strategy, bid.attempts],
    );
    return rows.length ? rows[0].seq : null;
  }

  /** Open auctions whose end has passed, oldest first (the closing job's batch). */
  async dueForClosing(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM ${this.auctions} WHERE status = 'OPEN' AND ends_at <= clock_timestamp()
       ORDER BY ends_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Closes one auction in the caller's transaction, if it is still OPEN and its end has passed:
   * the winner is whoever leads in the row at that moment. A bid racing the close waits for the
   * row lock; whichever commits first wins, and the other's condition fails. Idempotent: a second
   * close (another replica, a retry) matches no row and returns null.
   */
  async close(manager: EntityManager, id: string): Promise<AuctionRecord | null> {
    const rows: AuctionRow[] = await manager.query(
      `WITH closed AS (
         UPDATE ${this.auctions}
            SET status = 'CLOSED', closed_at = clock_timestamp(), winner_id = leader_id,
                winning_bid_id = leading_bid_id, winning_price_cents = current_price_cents
          WHERE id = $1 AND status = 'OPEN' AND ends_at <= clock_timestamp()
          RETURNING *)
       SELECT ${COLUMNS} FROM closed`,
      [id],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }
}
