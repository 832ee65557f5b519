import { IsUUID } from 'class-validator';

export class DeliveryOrderParams {
  @IsUUID('all', { message: 'id must be an order id (a UUID)' })
  id!: string;
}
