import type { OrderLine } from '@sdp/contracts';

export type OrderStatus = 'PENDING_PAYMENT' | 'CONFIRMED' | 'CANCELLED';

export interface OrderView {
  id: string;
  status: OrderStatus;
  items: OrderLine[];
  totalCents: number;
  createdAt: string;
}

/** Internal: the view plus who owns it. */
export interface OrderRecord extends OrderView {
  userId: string;
  cancelReason: string | null;
}

export interface OrderPage {
  items: OrderView[];
  page: number;
  limit: number;
  total: number;
}
