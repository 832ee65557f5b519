import { Controller, Get, Header, Param } from '@nestjs/common';
import type { CourierBoard, Delivery } from '@sdp/contracts';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import { DeliveriesService } from './deliveries.service';
import { DeliveryOrderParams } from './dto/delivery-order.params';

@Controller()
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('deliveries/:id')
  @RequireIdentity('customer', 'admin')
  @Header('Cache-Control', 'private, no-store')
  get(@CurrentIdentity() identity: Identity, @Param() { id }: DeliveryOrderParams): Promise<Delivery> {
    return this.deliveries.forOrder(identity, id);
  }

  @Get('admin/couriers')
  @RequireIdentity('admin')
  @Header('Cache-Control', 'no-store')
  couriers(): Promise<CourierBoard> {
    return this.deliveries.couriers();
  }
}
