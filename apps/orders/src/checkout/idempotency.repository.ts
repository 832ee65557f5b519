import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import { answerFor } from './checkout-answers';
import type { FinalOutcome } from './checkout.outcomes';

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; statusCode: number; body: unknown }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

interface KeyRow {
  request_hash: string;
  status: 'in_progress' | 'done';
  response_code: number | null;
  response_body: unknown;
}

/** The idempotency_keys table: one row per (user, key), first in_progress, then done with the answer. */
@Injectable()
export class IdempotencyRepository {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(ORDERS_CONFIG) private readonly config: OrdersConfig,
  ) {
    this.table = `"${config.DB_SCHEMA}".idempotency_keys`;
  }

  /**
   * Claims the key for this request, or says why not. The INSERT is the lock: of two concurrent
   * requests with one key, exactly one inserts (the primary key decides), the other sees its row.
   * A row may be taken over only when it is past its TTL, or in_progress for longer than any
   * checkout takes (the replica handling it died), so a key is never stuck forever.
   */
  async claim(userId: string, key: string, hash: string): Promise<Claim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed: unknown[] = await this.dataSource.query(
        `INSERT INTO ${this.table} AS k (user_id, key, request_hash, status) VALUES ($1, $2, $3, 'in_progress')
         ON CONFLICT (user_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, status = 'in_progress',
               response_code = NULL, response_body = NULL, created_at = now()
           WHERE k.created_at < now() - make_interval(hours => $4)
              OR (k.status = 'in_progress' AND k.created_at < now() - make_interval(secs => $5))
         RETURNING 1`,
        [userId, key, hash, this.config.IDEMPOTENCY_KEY_TTL_HOURS, this.config.IDEMPOTENCY_STALE_SECONDS],
      );
      if (claimed.length === 1) return { kind: 'claimed' };
      const rows: KeyRow[] = await this.dataSource.query(
        `SELECT request_hash, status, response_code, response_body FROM ${this.table} WHERE user_id = $1 AND key = $2`,
        [userId, key],
      );
      if (rows.length === 0) continue; // released between our INSERT and SELECT: try again
      const [row] = rows;
      if (row.request_hash !== hash) return { kind: 'mismatch' };
      if (row.status === 'in_progress') return { kind: 'in_progress' };
      return { kind: 'replay', statusCode: row.response_code!, body: row.response_body };
    }
    return { kind: 'in_progress' };
  }

  /**
   * Stores the final outcome as the HTTP answer a retry is sent (answerFor); pass the checkout
   * transaction's manager so it commits with the order.
   */
  async complete(
    userId: string,
    key: string,
    outcome: FinalOutcome,
    requestId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const { statusCode, body } = answerFor(outcome, requestId);
    await manager.query(
      `UPDATE ${this.table} SET status = 'done', response_code = $3, response_body = $4
       WHERE user_id = $1 AND key = $2 AND status = 'in_progress'`,
      [userId, key, statusCode, JSON.stringify(body)],
    );
  }

  /** Forgets an unfinished attempt so the client may retry with the same key. */
  async release(userId: string, key: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE user_id = $1 AND key = $2 AND status = 'in_progress'`,
      [userId, key],
    );
  }
}
