import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config';
import type { NewNotification, NotificationView } from './notification';

interface Row {
  id: string;
  user_id: string;
  order_id: string;
  type: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

const COLUMNS = 'id, user_id, order_id, type, payload, created_at';

const toView = (row: Row): NotificationView => ({
  id: row.id,
  userId: row.user_id,
  orderId: row.order_id,
  type: row.type,
  data: row.payload,
  createdAt: row.created_at.toISOString(),
});

/** At most this many missed notifications are replayed on reconnect. */
export const MAX_REPLAY = 500;

@Injectable()
export class NotificationsRepository {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(NOTIFICATIONS_CONFIG) config: NotificationsConfig,
  ) {
    this.table = `"${config.DB_SCHEMA}".notifications`;
  }

  /** Stores the notification; undefined when this event was already stored (a redelivery). */
  async insert(n: NewNotification): Promise<NotificationView | undefined> {
    const rows: Row[] = await this.dataSource.query(
      `INSERT INTO ${this.table} (event_id, user_id, order_id, type, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (event_id) DO NOTHING RETURNING ${COLUMNS}`,
      [n.eventId, n.userId, n.orderId, n.type, JSON.stringify(n.data)],
    );
    return rows[0] ? toView(rows[0]) : undefined;
  }

  async recent(userId: string, limit: number): Promise<NotificationView[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE user_id = $1 ORDER BY seq DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map(toView);
  }

  /**
   * The user's notifications stored after `lastId`, oldest first. Undefined when `lastId` is not one
   * of the user's notifications (unknown or someone else's): there is nothing to resume from.
   */
  async after(userId: string, lastId: string): Promise<NotificationView[] | undefined> {
    const anchor: { seq: string }[] = await this.dataSource.query(
      `SELECT seq FROM ${this.table} WHERE id = $1 AND user_id = $2`,
      [lastId, userId],
    );
    if (!anchor[0]) return undefined;
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [userId, anchor[0].seq, MAX_REPLAY],
    );
    return rows.map(toView);
  }
}
