// The order page's delivery line: which courier, or why there is none yet. The delivery service
// answers GET /api/orders/:id/delivery; 404 means the order is not confirmed (yet, or ever).
import type { Delivery } from './api';

export interface DeliveryLine {
  text: string;
  /** Ask again later (the courier may still change state); false once delivered or never. */
  pollAgain: boolean;
}

const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleTimeString() : '');

export function describeDelivery(delivery: Delivery | null, orderStatus: string): DeliveryLine {
  if (!delivery) {
    if (orderStatus === 'CANCELLED')
      return { text: 'No delivery: the order was cancelled.', pollAgain: false };
    return { text: 'A courier is found once the order is confirmed.', pollAgain: true };
  }
  switch (delivery.status) {
    case 'WAITING':
      return { text: 'Confirmed: waiting for a free courier…', pollAgain: true };
    case 'ASSIGNED':
      return {
        text: `On its way with ${delivery.courier?.name ?? 'a courier'} (assigned ${time(delivery.assignedAt)}).`,
        pollAgain: true,
      };
    case 'DELIVERED':
      return {
        text: `Delivered by ${delivery.courier?.name ?? 'a courier'} at ${time(delivery.deliveredAt)}.`,
        pollAgain: false,
      };
  }
}
