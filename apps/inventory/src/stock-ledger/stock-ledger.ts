import { StockChanged } from '@sdp/contracts';
import { appendToOutbox } from '@sdp/outbox';
import type { DataSource, EntityManager } from 'typeorm';

// The stock table as every writer of it sees it: its row, the public view of a row, and the
// stock.changed event each change appends to the outbox in the writer's own transaction. Shared by
// stock (admin), reservations (holds and their settling) and fencing, so that none of those folders
// imports another.

export interface StockView {
  sku: string;
  onHand: number;
  reserved: number;
  sold: number;
  available: number;
}

export interface StockRow {
  sku: string;
  on_hand: number;
  reserved: number;
  sold: number;
}

/** The schema-qualified names of inventory's tables. */
export const inventoryTables = (schema: string) => ({
  stock: `"${schema}".stock`,
  reservations: `"${schema}".reservations`,
});

/** TypeORM answers UPDATE/DELETE on Postgres as [rows, affected]; this returns the rows. */
export async function updated<T>(result: Promise<unknown>): Promise<T[]> {
  const value = await result;
  return Array.isArray(value) && value.length === 2 && Array.isArray(value[0]) && typeof value[1] === 'number'
    ? (value[0] as T[])
    : (value as T[]);
}

export const toStockView = (row: StockRow): StockView => ({
  sku: row.sku,
  onHand: row.on_hand,
  reserved: row.reserved,
  sold: row.sold,
  available: row.on_hand - row.reserved,
});

/** The stock rows of these SKUs (absent: no such SKU), by SKU. */
export async function findStock(
  db: DataSource | EntityManager,
  schema: string,
  skus: string[],
): Promise<Map<string, StockView>> {
  const rows: StockRow[] = await db.query(
    `SELECT sku, on_hand, reserved, sold FROM ${inventoryTables(schema).stock} WHERE sku = ANY($1::text[])`,
    [skus],
  );
  return new Map(rows.map((row) => [row.sku, toStockView(row)]));
}

/** One stock.changed per changed row, in the caller's transaction (the outbox relays it). */
export async function appendStockChanged(
  manager: EntityManager,
  schema: string,
  rows: StockRow[],
  requestId?: string,
): Promise<void> {
  for (const row of rows) {
    const event = StockChanged.create(row.sku, toStockView(row), requestId);
    await appendToOutbox(manager, schema, StockChanged.type, event);
  }
}
