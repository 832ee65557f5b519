import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import { ListOrdersQuery, OrderIdParams } from './dto/order.query';
import type { OrderPage, OrderView } from './dto/order.view';
import { OrdersService } from './orders.service';

@Controller('orders')
@RequireIdentity('customer', 'admin')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @Header('Cache-Control', 'private, no-store')
  list(@CurrentIdentity() identity: Identity, @Query() query: ListOrdersQuery): Promise<OrderPage> {
    return this.orders.list(identity, query.page, query.limit);
  }

  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  get(@CurrentIdentity() identity: Identity, @Param() { id }: OrderIdParams): Promise<OrderView> {
    return this.orders.get(identity, id);
  }
}
