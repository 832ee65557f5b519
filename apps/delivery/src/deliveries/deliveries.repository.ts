import { Inject, Injectable } from '@nestjs/common';
import type { Courier, CourierBoard, Delivery } from '@sdp/contracts';
import { DataSource } from 'typeorm';
import { DELIVERY_CONFIG, type DeliveryConfig } from '../config';

interface DeliveryRow {
  order_id: string;
  user_id: string;
  status: Delivery['status'];
  courier_id: string | null;
  courier_name: string | null;
  created_at: Date;
  assigned_at: Date | null;
  delivered_at: Date | null;
}

interface CourierRow {
  id: string;
  name: string;
  status: Courier['status'];
  current_order_id: string | null;
  deliveries: number;
  updated_at: Date;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

@Injectable()
export class DeliveriesRepository {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(DELIVERY_CONFIG) config: DeliveryConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /**
   * The order's delivery and who ordered it (for the owner check), or null before the order is
   * confirmed and once it is cancelled (the storefront then says "No delivery: the order was cancelled").
   */
  async findByOrder(orderId: string): Promise<{ userId: string; delivery: Delivery } | null> {
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT j.order_id, j.user_id, j.status, j.courier_id, c.name AS courier_name,
              j.created_at, j.assigned_at, j.delivered_at
       FROM "${this.schema}".delivery_jobs j
       LEFT JOIN "${this.schema}".couriers c ON c.id = j.courier_id
       WHERE j.order_id = $1 AND j.status <> 'CANCELLED'`,
      [orderId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      userId: row.user_id,
      delivery: {
        orderId: row.order_id,
        status: row.status,
        courier: row.courier_id ? { id: row.courier_id, name: row.courier_name ?? row.courier_id } : null,
        createdAt: new Date(row.created_at).toISOString(),
        assignedAt: iso(row.assigned_at),
        deliveredAt: iso(row.delivered_at),
      },
    };
  }

  async courierBoard(): Promise<CourierBoard> {
    const couriers: CourierRow[] = await this.dataSource.query(
      `SELECT id, name, status, current_order_id, deliveries, updated_at
       FROM "${this.schema}".couriers ORDER BY id`,
    );
    const waiting: { count: string }[] = await this.dataSource.query(
      `SELECT count(*)::text AS count FROM "${this.schema}".delivery_jobs WHERE status = 'WAITING'`,
    );
    const list: Courier[] = couriers.map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      currentOrderId: c.current_order_id,
      deliveries: c.deliveries,
      updatedAt: new Date(c.updated_at).toISOString(),
    }));
    return {
      couriers: list,
      free: list.filter((c) => c.status === 'FREE').length,
      busy: list.filter((c) => c.status === 'BUSY').length,
      waitingJobs: Number(waiting[0].count),
    };
  }
}
