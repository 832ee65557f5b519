import { z } from 'zod';

// Courier dispatch (/api/orders/:id/delivery, /api/admin/couriers), answered by delivery.

export const deliveryStatus = z.enum(['WAITING', 'ASSIGNED', 'DELIVERED']);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;

export const deliveryCourier = z.object({ id: z.string(), name: z.string() }).meta({ id: 'DeliveryCourier' });

export const delivery = z
  .object({
    orderId: z.uuid(),
    status: deliveryStatus.describe('WAITING for a courier → ASSIGNED → DELIVERED'),
    courier: deliveryCourier.nullable(),
    createdAt: z.iso.datetime({ offset: true }),
    assignedAt: z.iso.datetime({ offset: true }).nullable(),
    deliveredAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'Delivery' });
export type Delivery = z.infer<typeof delivery>;

export const courierStatus = z.enum(['FREE', 'BUSY']);

export const courier = z
  .object({
    id: z.string(),
    name: z.string(),
    status: courierStatus,
    currentOrderId: z.uuid().nullable(),
    deliveries: z.int().nonnegative().describe('deliveries completed'),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Courier' });
export type Courier = z.infer<typeof courier>;

export const courierBoard = z
  .object({
    couriers: z.array(courier),
    free: z.int().nonnegative(),
    busy: z.int().nonnegative(),
    waitingJobs: z.int().nonnegative().describe('confirmed orders still waiting for a courier'),
  })
  .meta({ id: 'CourierBoard' });
export type CourierBoard = z.infer<typeof courierBoard>;
