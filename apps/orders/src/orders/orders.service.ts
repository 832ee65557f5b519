import { Injectable, NotFoundException } from '@nestjs/common';
import type { Identity } from '@sdp/identity';
import type { OrderPage, OrderRecord, OrderView } from './dto/order.view';
import { OrdersRepository } from './orders.repository';

const toView = ({ id, status, items, totalCents, createdAt }: OrderRecord): OrderView => ({
  id,
  status,
  items,
  totalCents,
  createdAt,
});

@Injectable()
export class OrdersService {
  constructor(private readonly repository: OrdersRepository) {}

  /** Someone else's order is a 404, not a 403: the answer must not reveal that the id exists. */
  async get(caller: Identity, id: string): Promise<OrderView> {
    const order = await this.repository.findById(id);
    if (!order || (order.userId !== caller.userId && caller.role !== 'admin')) {
      throw new NotFoundException(`order ${id} not found`);
    }
    return toView(order);
  }

  async list(caller: Identity, page: number, limit: number): Promise<OrderPage> {
    const { items, total } = await this.repository.listByUser(caller.userId, page, limit);
    return { items: items.map(toView), page, limit, total };
  }
}
