import { Inject, Injectable } from '@nestjs/common';
import type { ReservationResponse, ReservationStatus } from '@sdp/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { INVENTORY_CONFIG, type InventoryConfig } from '../config';
import { nextFences } from '../fencing/fencing';
import {
  appendStockChanged,
  findStock,
  inventoryTables,
  updated,
  type StockRow,
  type StockView,
} from '../stock-ledger/stock-ledger';
import { OutOfStockError } from './reservation.errors';
import { guardedReserve, type StockGuard } from './stock-guards';

interface ReservationRow {
  sku: string;
  quantity: number;
  status: ReservationStatus;
  expires_at: Date;
}

export interface ReserveCommand {
  orderId: string;
  /** Sorted by SKU, the order the locks were taken in. */
  items: { sku: string; quantity: number }[];
  /** How each line's stock row is written (the strategy's guard; fenced carries the lock's tokens). */
  guard: StockGuard;
  ttlSeconds: number;
  requestId?: string;
  /** Aborted when a lock extension failed: stop before committing. */
  signal?: AbortSignal;
}

export type ReserveResult = { replayed: boolean; reservation: ReservationResponse };

/** What a late confirmation did: lines sold from available stock, or the first SKU that was short. */
export type LateSale = { sold: number } | { short: { sku: string; quantity: number; available: number } };

/**
 * All SQL of the reservations table: holding stock for an order, settling the hold, the sweeper's
 * release. A hold moves stock rows too (reserved, sold), and every such change appends
 * stock.changed to the outbox in the same transaction.
 */
@Injectable()
export class ReservationsRepository {
  private readonly schema: string;
  private readonly t: ReturnType<typeof inventoryTables>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INVENTORY_CONFIG) config: InventoryConfig,
  ) {
    this.schema = config.DB_SCHEMA;
    this.t = inventoryTables(config.DB_SCHEMA);
  }

  async findReservation(orderId: string, manager?: EntityManager): Promise<ReservationResponse | null> {
    const rows: ReservationRow[] = await (manager ?? this.dataSource).query(
      `SELECT sku, quantity, status, expires_at FROM ${this.t.reservations} WHERE order_id = $1 ORDER BY sku`,
      [orderId],
    );
    if (rows.length === 0) return null;
    return {
      orderId,
      // Lines of one order move together; report the least advanced one if they ever differ.
      status: rows.some((r) => r.status === 'HELD')
        ? 'HELD'
        : rows.some((r) => r.status === 'RELEASED')
          ? 'RELEASED'
          : 'COMMITTED',
      expiresAt: new Date(Math.min(...rows.map((r) => r.expires_at.getTime()))).toISOString(),
      items: rows.map((r) => ({ sku: r.sku, quantity: r.quantity })),
    };
  }

  /** The stock of these SKUs now, for the pre-check before locking (absent: unknown SKU). */
  stockOf(skus: string[]): Promise<Map<string, StockView>> {
    return findStock(this.dataSource, this.schema, skus);
  }

  /** Fencing tokens for the locks just taken (see ../fencing/fencing.ts). */
  nextFences(count: number): Promise<string[]> {
    return nextFences(this.dataSource, this.schema, count);
  }

  /**
   * Reserves every line in ONE transaction, or nothing, each line written under the command's
   * guard (./stock-guards.ts). Lines come sorted by SKU, so two holds lock their rows in the same
   * order and cannot deadlock, with or without a distributed lock in front.
   */
  async reserve(command: ReserveCommand): Promise<ReserveResult> {
    const { orderId, items, guard, ttlSeconds } = command;
    return this.dataSource.transaction(async (manager) => {
      // Two requests for one order (a retry racing the original) queue here; the second replays.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`reservation:${orderId}`]);
      const existing = await this.findReservation(orderId, manager);
      if (existing) return { replayed: true, reservation: existing };

      const changed: StockRow[] = [];
      for (const { sku, quantity } of items) {
        const write = await guardedReserve(manager, this.schema, guard, sku, quantity);
        if ('available' in write) throw new OutOfStockError(sku, write.available, quantity);
        changed.push(write.row);
      }
      const inserted: { expires_at: Date }[] = await manager.query(
        `INSERT INTO ${this.t.reservations} (order_id, sku, quantity, status, expires_at)
         SELECT $1, sku, quantity, 'HELD', now() + make_interval(secs => $4)
         FROM unnest($2::text[], $3::int[]) AS l(sku, quantity)
         RETURNING expires_at`,
        [orderId, items.map((i) => i.sku), items.map((i) => i.quantity), ttlSeconds],
      );
      await appendStockChanged(manager, this.schema, changed, command.requestId);
      // Last look before commit: if the lock was lost meanwhile, roll back (the fence would also
      // stop a newer holder's rows from being overwritten, but there is no reason to race it).
      command.signal?.throwIfAborted();
      return {
        replayed: false,
        reservation: {
          orderId,
          status: 'HELD',
          expiresAt: inserted[0].expires_at.toISOString(),
          items: items.map(({ sku, quantity }) => ({ sku, quantity })),
        },
      };
    });
  }

  /**
   * Moves an order's HELD lines to COMMITTED (sold) or RELEASED (back to available) inside the
   * caller's transaction. Only rows still HELD change, so a hold the sweeper already released is
   * not released twice. Returns how many lines moved.
   */
  async settleOrder(
    manager: EntityManager,
    orderId: string,
    to: 'COMMITTED' | 'RELEASED',
    requestId?: string,
  ): Promise<number> {
    const stockChange =
      to === 'COMMITTED'
        ? 'on_hand = s.on_hand - m.quantity, reserved = s.reserved - m.quantity, sold = s.sold + m.quantity'
        : 'reserved = s.reserved - m.quantity';
    return this.moveHeld(manager, `order_id = $1 AND status = 'HELD'`, [orderId, to], stockChange, requestId);
  }

  /**
   * order.confirmed arrived after the sweeper released the order's hold (paid too late). Sells the
   * lines anyway if the stock is available right now, all or none, in the caller's transaction.
   * No Redlock here: the stock rows are locked FOR UPDATE and re-checked, and a reserver's fenced
   * conditional UPDATE waits for this row lock and re-evaluates, so neither can oversell.
   * Returns the lines sold, or the first SKU that is short (nothing changed then).
   */
  async sellReleased(manager: EntityManager, orderId: string, requestId?: string): Promise<LateSale> {
    const lines = await manager.query<{ sku: string; quantity: number }[]>(
      `SELECT sku, quantity FROM ${this.t.reservations}
       WHERE order_id = $1 AND status = 'RELEASED' ORDER BY sku FOR UPDATE`,
      [orderId],
    );
    if (lines.length === 0) return { sold: 0 };
    const rows = await manager.query<StockRow[]>(
      `SELECT sku, on_hand, reserved, sold FROM ${this.t.stock} WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`,
      [lines.map((l) => l.sku)],
    );
    const available = new Map(rows.map((row) => [row.sku, row.on_hand - row.reserved]));
    for (const { sku, quantity } of lines) {
      if ((available.get(sku) ?? 0) < quantity)
        return { short: { sku, quantity, available: available.get(sku) ?? 0 } };
    }
    const sold = await this.moveHeld(
      manager,
      `order_id = $1 AND status = 'RELEASED'`,
      [orderId, 'COMMITTED'],
      'on_hand = s.on_hand - m.quantity, sold = s.sold + m.quantity',
      requestId,
    );
    return { sold };
  }

  /** Releases up to `limit` expired HELD reservations in the caller's transaction. */
  async releaseExpired(manager: EntityManager, limit: number): Promise<number> {
    return this.moveHeld(
      manager,
      `(order_id, sku) IN (
         SELECT order_id, sku FROM ${this.t.reservations}
         WHERE status = 'HELD' AND expires_at < now()
         ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       AND status = 'HELD'`,
      [limit, 'RELEASED'],
      'reserved = s.reserved - m.quantity',
    );
  }

  /** `$2` is the new status; `where` selects the reservations to move (it may use `$1`). */
  private async moveHeld(
    manager: EntityManager,
    where: string,
    params: [string | number, string],
    stockChange: string,
    requestId?: string,
  ): Promise<number> {
    const moved = await updated<{ sku: string; quantity: number }>(
      manager.query(
        `UPDATE ${this.t.reservations} SET status = $2, updated_at = now() WHERE ${where} RETURNING sku, quantity`,
        params,
      ),
    );
    if (moved.length === 0) return 0;
    const perSku = new Map<string, number>();
    for (const { sku, quantity } of moved) perSku.set(sku, (perSku.get(sku) ?? 0) + quantity);
    const skus = [...perSku.keys()].sort();
    // Row locks in SKU order, the same order reservations take them: no deadlock between the two.
    await manager.query(`SELECT 1 FROM ${this.t.stock} WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE`, [
      skus,
    ]);
    const changed = await updated<StockRow>(
      manager.query(
        `UPDATE ${this.t.stock} s SET ${stockChange}, updated_at = now()
       FROM unnest($1::text[], $2::int[]) AS m(sku, quantity)
       WHERE s.sku = m.sku
       RETURNING s.sku, s.on_hand, s.reserved, s.sold`,
        [skus, skus.map((sku) => perSku.get(sku))],
      ),
    );
    await appendStockChanged(manager, this.schema, changed, requestId);
    return moved.length;
  }
}
