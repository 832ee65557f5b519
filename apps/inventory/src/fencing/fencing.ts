import type { DataSource, EntityManager } from 'typeorm';
import { inventoryTables, updated, type StockRow } from '../stock-ledger/stock-ledger';

// Fencing tokens (docs/distributed-locks.md, "Fencing").
//
// A Redlock lock has a TTL. A holder that pauses past it (a GC pause, a swapped-out process, a slow
// network) no longer holds the lock but does not know it: a newer holder may take the lock and
// write meanwhile, and when the paused one resumes, the lock alone cannot stop its late write from
// overwriting the newer holder's. The store has to refuse it. So:
//
//   1. a holder takes a token from a Postgres sequence AFTER it acquired its lock, so a later
//      holder always has a larger token (the sequence is shared by every replica);
//   2. every write under the lock is a conditional UPDATE that applies only if its token is larger
//      than the fence the row's last writer left, and stores its own token as the new fence.
//
// A paused holder's token is below the newer holder's fence: its UPDATE matches 0 rows, nothing is
// written, and it is told FencedOutError (a 503 to the caller, who retries). The lock makes
// contention rare; the fence makes a lost lock harmless.

/**
 * The conditional UPDATE found a fence at or above our token: a newer lock holder has written this
 * row, so our lock must have expired (pause, slow network). Nothing was written; retry.
 */
export class FencedOutError extends Error {
  constructor(
    readonly sku: string,
    readonly token: string,
    readonly fence: string,
  ) {
    super(`${sku}: fencing token ${token} is stale (row fenced at ${fence}); the lock was lost`);
    this.name = 'FencedOutError';
  }
}

/** Fencing tokens from Postgres: strictly increasing across every replica. Take them after locking. */
export async function nextFences(
  db: DataSource | EntityManager,
  schema: string,
  count: number,
): Promise<string[]> {
  const rows: { token: string }[] = await db.query(
    `SELECT nextval('"${schema}".fence_seq')::text AS token FROM generate_series(1, $1)`,
    [count],
  );
  return rows.map((r) => r.token);
}

/** The fenced write went through (the row after it), or the fence let it by but the stock is short. */
export type FencedReserve = { row: StockRow } | { available: number };

/**
 * Adds `quantity` to the SKU's reserved units in the caller's transaction, if our fencing token is
 * newer than the last writer's AND the stock is available; the row then carries our token as its
 * fence. Throws FencedOutError when a newer holder wrote the row; answers `{ available }` when the
 * fence passed and the stock did not.
 */
export async function fencedReserve(
  manager: EntityManager,
  schema: string,
  sku: string,
  quantity: number,
  token: string,
): Promise<FencedReserve> {
  const { stock } = inventoryTables(schema);
  const rows = await updated<StockRow>(
    manager.query(
      `UPDATE ${stock}
           SET reserved = reserved + $2, fence = $3, updated_at = now()
           WHERE sku = $1 AND fence < $3 AND on_hand - reserved >= $2
           RETURNING sku, on_hand, reserved, sold`,
      [sku, quantity, token],
    ),
  );
  if (rows.length > 0) return { row: rows[0] };

  // 0 rows updated: a newer lock holder wrote the row (fenced), or there is not enough stock.
  const current: (StockRow & { fence: string })[] = await manager.query(
    `SELECT sku, on_hand, reserved, sold, fence::text AS fence FROM ${stock} WHERE sku = $1`,
    [sku],
  );
  const row = current[0];
  if (!row) throw new Error(`INVARIANT: stock row ${sku} vanished`);
  if (BigInt(row.fence) >= BigInt(token)) throw new FencedOutError(sku, token, row.fence);
  return { available: row.on_hand - row.reserved };
}
