import { z } from 'zod';
import { listOf } from './errors';

// The caller's notifications (/api/notifications and its event stream).

export const notificationTypes = [
  'order.confirmed',
  'order.cancelled',
  'payment.refunded',
  'delivery.assigned',
  'delivery.delivered',
  'delivery.cancelled',
] as const;

export const notification = z
  .object({
    id: z.string(),
    userId: z.string(),
    orderId: z.string(),
    type: z.enum(notificationTypes).describe('also the SSE `event:` name'),
    data: z.record(z.string(), z.unknown()).describe('`{orderId, status, ...}`: what the user is told'),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof notification>;

export const notificationList = listOf(notification);

export const notificationsQuery = z.object({ limit: z.int().min(1).optional() });
export const notificationStreamQuery = z.object({
  access_token: z.string().describe('the JWT, for EventSource').optional(),
});
