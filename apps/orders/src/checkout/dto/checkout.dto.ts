import { OptionalField } from '@sdp/bootstrap';
import { MAX_LINES } from '@sdp/contracts';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, ValidateNested } from 'class-validator';
import { AddCartItemDto } from '../../cart/dto/cart.dto';

export class CheckoutDto {
  /** Absent: check out the caller's cart. */
  @OptionalField()
  @IsArray({ message: 'items must be an array of {sku, quantity}' })
  @ArrayMinSize(1, { message: 'items must not be empty (omit it to check out the cart)' })
  @ArrayMaxSize(MAX_LINES, { message: `items must have at most ${MAX_LINES} lines` })
  @ArrayUnique((item: AddCartItemDto) => item?.sku, { message: 'items must not list a SKU twice' })
  @ValidateNested({ each: true })
  @Type(() => AddCartItemDto)
  items?: AddCartItemDto[];
}

export interface CheckoutAccepted {
  orderId: string;
  status: 'PENDING_PAYMENT';
}
