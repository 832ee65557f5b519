import { Inject, Injectable } from '@nestjs/common';
import type { OrderLine } from '@sdp/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { ORDERS_CONFIG, type OrdersConfig } from '../config';
import type { OrderRecord, OrderStatus } from './dto/order.view';

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  total_cents: string; // bigint comes back as text
  cancel_reason: string | null;
  created_at: Date;
  items: OrderLine[] | null;
}

const toRecord = (row: OrderRow): OrderRecord => ({
  id: row.id,
  userId: row.user_id,
  status: row.status,
  items: (row.items ?? []).sort((a, b) => a.sku.localeCompare(b.sku)),
  totalCents: Number(row.total_cents),
  createdAt: row.created_at.toISOString(),
  cancelReason: row.cancel_reason,
});

export interface NewOrder {
  id: string;
  userId: string;
  items: OrderLine[];
  totalCents: number;
}

/** Orders and their lines, in plain SQL (the statements are the lesson: conditional updates, one transaction). */
@Injectable()
export class OrdersRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(ORDERS_CONFIG) config: OrdersConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  private selectOrders(where: string): string {
    const s = this.schema;
    return `SELECT o.id, o.user_id, o.status, o.total_cents, o.cancel_reason, o.created_at,
              (SELECT json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity, 'priceCents', i.price_cents))
                 FROM "${s}".order_items i WHERE i.order_id = o.id) AS items
            FROM "${s}".orders o WHERE ${where}`;
  }

  /** Inside the checkout transaction. */
  async insert(manager: EntityManager, order: NewOrder): Promise<void> {
    const s = this.schema;
    await manager.query(
      `INSERT INTO "${s}".orders (id, user_id, status, total_cents) VALUES ($1, $2, 'PENDING_PAYMENT', $3)`,
      [order.id, order.userId, order.totalCents],
    );
    await manager.query(
      `INSERT INTO "${s}".order_items (order_id, sku, quantity, price_cents)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[])`,
      [
        order.id,
        order.items.map((i) => i.sku),
        order.items.map((i) => i.quantity),
        order.items.map((i) => i.priceCents),
      ],
    );
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<OrderRecord | null> {
    const rows: OrderRow[] = await manager.query(this.selectOrders('o.id = $1'), [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async listByUser(
    userId: string,
    page: number,
    limit: number,
  ): Promise<{ items: OrderRecord[]; total: number }> {
    const rows: OrderRow[] = await this.dataSource.query(
      `${this.selectOrders('o.user_id = $1')} ORDER BY o.created_at DESC, o.id DESC LIMIT $2 OFFSET $3`,
      [userId, limit, (page - 1) * limit],
    );
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM "${this.schema}".orders WHERE user_id = $1`,
      [userId],
    );
    return { items: rows.map(toRecord), total };
  }

  /** When a CONFIRMED order was confirmed (its last change), locking the row; null if it is not CONFIRMED. */
  async confirmedAt(manager: EntityManager, id: string): Promise<string | null> {
    const rows: { updated_at: Date }[] = await manager.query(
      `SELECT updated_at FROM "${this.schema}".orders WHERE id = $1 AND status = 'CONFIRMED' FOR UPDATE`,
      [id],
    );
    return rows.length ? rows[0].updated_at.toISOString() : null;
  }

  /**
   * Moves an order only if it is still in `from`: the status check is in the UPDATE itself, so a
   * late or duplicated payment event can never move a CONFIRMED order to CANCELLED or back.
   * Returns the order after the change, or null when it was not in `from` (or does not exist).
   */
  async transition(
    manager: EntityManager,
    id: string,
    from: OrderStatus,
    to: OrderStatus,
    cancelReason?: string,
  ): Promise<OrderRecord | null> {
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, rowCount], not with the rows.
    const updated: unknown[] = await manager.query(
      `WITH moved AS (
         UPDATE "${this.schema}".orders SET status = $3, cancel_reason = $4, updated_at = now()
         WHERE id = $1 AND status = $2 RETURNING id
       ) SELECT id FROM moved`,
      [id, from, to, cancelReason ?? null],
    );
    return updated.length ? this.findById(id, manager) : null;
  }
}
