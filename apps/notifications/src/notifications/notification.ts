/** A stored notification as clients see it (REST list, SSE `data`, and the pub/sub message). */
export interface NotificationView {
  id: string;
  userId: string;
  orderId: string;
  /** The event type: order.confirmed, order.cancelled, payment.refunded, delivery.assigned, delivery.delivered or delivery.cancelled (the SSE `event:` name). */
  type: string;
  /** `{orderId, status, ...}`: what the user is told. */
  data: Record<string, unknown>;
  createdAt: string;
}

export interface NewNotification {
  eventId: string;
  userId: string;
  orderId: string;
  type: string;
  data: Record<string, unknown>;
}
