import { outboxTablesSql } from '@sdp/outbox';
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuctions1765200000000 implements MigrationInterface {
  name = 'CreateAuctions1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'auctions';
    // One row per auction: the current top bid lives here, so "is this bid high enough?" and
    // "record it" are one conditional UPDATE of this row, whatever strategy the caller used.
    //   fence:   the last lock holder's fencing token (BID_STRATEGY=lock)
    //   version: bumped by every accepted bid (the compare-and-set of BID_STRATEGY=cas)
    await runner.query(`
      CREATE TABLE "${schema}".auctions (
        id uuid PRIMARY KEY,
        sku text NOT NULL CHECK (sku ~ '^[A-Z0-9-]{3,32}$'),
        start_price_cents integer NOT NULL CHECK (start_price_cents > 0),
        min_increment_cents integer NOT NULL CHECK (min_increment_cents > 0),
        ends_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CLOSED')),
        current_price_cents integer CHECK (current_price_cents >= start_price_cents),
        leader_id text,
        leading_bid_id uuid,
        bid_count integer NOT NULL DEFAULT 0 CHECK (bid_count >= 0),
        version bigint NOT NULL DEFAULT 0,
        fence bigint NOT NULL DEFAULT 0,
        winner_id text,
        winning_bid_id uuid,
        winning_price_cents integer,
        closed_at timestamptz,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT auctions_closed_has_time CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL))
      )`);
    // The closing job's lookup: open auctions whose end has passed, oldest first.
    await runner.query(
      `CREATE INDEX auctions_open_ends_idx ON "${schema}".auctions (ends_at) WHERE status = 'OPEN'`,
    );
    // Accepted bids only, in acceptance order: seq is the auction's bid_count after the bid, so
    // (auction_id, seq) is unique and amount_cents must rise with seq (checked by the tests).
    await runner.query(`
      CREATE TABLE "${schema}".bids (
        id uuid PRIMARY KEY,
        auction_id uuid NOT NULL REFERENCES "${schema}".auctions (id),
        seq integer NOT NULL CHECK (seq > 0),
        user_id text NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        strategy text NOT NULL CHECK (strategy IN ('lock', 'cas')),
        attempts integer NOT NULL CHECK (attempts > 0),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        UNIQUE (auction_id, seq)
      )`);
    await runner.query(`CREATE INDEX bids_top_idx ON "${schema}".bids (auction_id, amount_cents DESC)`);
    // Fencing tokens: strictly increasing, issued by the database that checks them.
    await runner.query(`CREATE SEQUENCE "${schema}".fence_seq`);
    for (const sql of outboxTablesSql(schema)) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = runner.connection.driver.schema ?? 'auctions';
    for (const table of ['processed_messages', 'outbox', 'bids', 'auctions']) {
      await runner.query(`DROP TABLE "${schema}".${table}`);
    }
    await runner.query(`DROP SEQUENCE "${schema}".fence_seq`);
  }
}
