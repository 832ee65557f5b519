import type { EntityManager } from 'typeorm';
import { fencedReserve, type FencedReserve } from '../fencing/fencing';
import { inventoryTables, updated, type StockRow } from '../stock-ledger/stock-ledger';

// How one line of a hold is written to its stock row. Each reservation strategy (./strategies)
// picks one; every guard is a single row's write inside the hold's transaction, and every guard
// alone keeps reserved <= on_hand, whatever happened to a lock (see docs/distributed-locks.md,
// "When do you need a distributed lock at all?").
export type StockGuard =
  /** Under a Redlock lock: the write also carries the lock's fencing token (../fencing). */
  | { kind: 'fenced'; tokens: Map<string, string> }
  /** No lock: `UPDATE ... WHERE on_hand - reserved >= quantity`; Postgres is the arbiter. */
  | { kind: 'conditional' }
  /** No lock: `SELECT ... FOR UPDATE` first, check in the application, then write. */
  | { kind: 'row-lock' };

/** Adds `quantity` to the SKU's reserved units under the guard: the row after, or what was available. */
export function guardedReserve(
  manager: EntityManager,
  schema: string,
  guard: StockGuard,
  sku: string,
  quantity: number,
): Promise<FencedReserve> {
  switch (guard.kind) {
    case 'fenced': {
      const token = guard.tokens.get(sku);
      if (!token) throw new Error(`INVARIANT: no fencing token for ${sku}`);
      return fencedReserve(manager, schema, sku, quantity, token);
    }
    case 'conditional':
      return conditionalReserve(manager, schema, sku, quantity);
    case 'row-lock':
      return rowLockedReserve(manager, schema, sku, quantity);
  }
}

const addReserved = (stock: string, condition: string) =>
  `UPDATE ${stock} SET reserved = reserved + $2, updated_at = now()
   WHERE sku = $1${condition} RETURNING sku, on_hand, reserved, sold`;

async function conditionalReserve(
  manager: EntityManager,
  schema: string,
  sku: string,
  quantity: number,
): Promise<FencedReserve> {
  const { stock } = inventoryTables(schema);
  // Concurrent writers of the row queue on its row lock and re-evaluate the WHERE once it is theirs.
  const rows = await updated<StockRow>(
    manager.query(addReserved(stock, ' AND on_hand - reserved >= $2'), [sku, quantity]),
  );
  if (rows.length > 0) return { row: rows[0] };
  const current: StockRow[] = await manager.query(`SELECT on_hand, reserved FROM ${stock} WHERE sku = $1`, [
    sku,
  ]);
  if (!current[0]) throw new Error(`INVARIANT: stock row ${sku} vanished`);
  return { available: current[0].on_hand - current[0].reserved };
}

async function rowLockedReserve(
  manager: EntityManager,
  schema: string,
  sku: string,
  quantity: number,
): Promise<FencedReserve> {
  const { stock } = inventoryTables(schema);
  // The row lock is held until the transaction ends: the check below cannot go stale.
  const locked: StockRow[] = await manager.query(
    `SELECT on_hand, reserved FROM ${stock} WHERE sku = $1 FOR UPDATE`,
    [sku],
  );
  if (!locked[0]) throw new Error(`INVARIANT: stock row ${sku} vanished`);
  const available = locked[0].on_hand - locked[0].reserved;
  if (available < quantity) return { available };
  const rows = await updated<StockRow>(manager.query(addReserved(stock, ''), [sku, quantity]));
  return { row: rows[0] };
}
