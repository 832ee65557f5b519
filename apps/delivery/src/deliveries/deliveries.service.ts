import { Injectable, NotFoundException } from '@nestjs/common';
import type { CourierBoard, Delivery } from '@sdp/contracts';
import type { Identity } from '@sdp/identity';
import { DeliveriesRepository } from './deliveries.repository';

@Injectable()
export class DeliveriesService {
  constructor(private readonly repository: DeliveriesRepository) {}

  /**
   * The order's delivery, for its owner (or an admin). Someone else's order answers the same 404 as
   * a missing one, so order ids cannot be probed. No delivery yet: the order is not confirmed.
   */
  async forOrder(caller: Identity, orderId: string): Promise<Delivery> {
    const found = await this.repository.findByOrder(orderId);
    if (!found || (found.userId !== caller.userId && caller.role !== 'admin')) {
      throw new NotFoundException(`no delivery for order ${orderId} (not yours, or not confirmed yet)`);
    }
    return found.delivery;
  }

  couriers(): Promise<CourierBoard> {
    return this.repository.courierBoard();
  }
}
