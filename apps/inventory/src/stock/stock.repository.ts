import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config';
import {
  appendStockChanged,
  findStock,
  inventoryTables,
  toStockView,
  updated,
  type StockRow,
  type StockView,
} from '../stock-ledger/stock-ledger';

export type { StockView } from '../stock-ledger/stock-ledger';

/**
 * The SQL of the stock table for reading and setting stock. Holds, their settling and the fenced
 * writes are in ReservationsRepository and ../fencing/fencing.ts. Every change to stock appends
 * stock.changed to the outbox.
 */
@Injectable()
export class StockRepository {
  private readonly schema: string;
  private readonly t: ReturnType<typeof inventoryTables>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
  ) {
    this.schema = config.DB_SCHEMA;
    this.t = inventoryTables(config.DB_SCHEMA);
  }

  async find(sku: string): Promise<StockView | null> {
    const rows: StockRow[] = await this.dataSource.query(
      `SELECT sku, on_hand, reserved, sold FROM ${this.t.stock} WHERE sku = $1`,
      [sku],
    );
    return rows[0] ? toStockView(rows[0]) : null;
  }

  findMany(skus: string[]): Promise<Map<string, StockView>> {
    return findStock(this.dataSource, this.schema, skus);
  }

  /** Sets on-hand (admin); null if the SKU is unknown, 'below-reserved' if it would undercut holds. */
  async setOnHand(
    sku: string,
    onHand: number,
    requestId?: string,
  ): Promise<StockView | null | { belowReserved: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await updated<StockRow>(
        manager.query(
          `UPDATE ${this.t.stock} SET on_hand = $2, updated_at = now()
           WHERE sku = $1 AND reserved <= $2 RETURNING sku, on_hand, reserved, sold`,
          [sku, onHand],
        ),
      );
      if (rows.length === 0) {
        const current = await this.find(sku);
        return current ? { belowReserved: current.reserved } : null;
      }
      await appendStockChanged(manager, this.schema, rows, requestId);
      return toStockView(rows[0]);
    });
  }
}
