import { MAX_LINE_QUANTITY } from '@sdp/contracts';
import { IsInt, Matches, Max, Min } from 'class-validator';

export const SKU_PATTERN = /^[A-Z0-9-]{3,32}$/;
export const SKU_MESSAGE = 'sku must be a SKU such as "SKU-000001"';
const QUANTITY_MESSAGE = `quantity must be an integer from 1 to ${MAX_LINE_QUANTITY}`;

export class CartQuantityDto {
  @IsInt({ message: QUANTITY_MESSAGE })
  @Min(1, { message: QUANTITY_MESSAGE })
  @Max(MAX_LINE_QUANTITY, { message: QUANTITY_MESSAGE })
  quantity!: number;
}

export class AddCartItemDto extends CartQuantityDto {
  @Matches(SKU_PATTERN, { message: SKU_MESSAGE })
  sku!: string;
}

export class SkuParams {
  @Matches(SKU_PATTERN, { message: SKU_MESSAGE })
  sku!: string;
}

export interface CartLine {
  sku: string;
  quantity: number;
}

export interface CartView {
  items: CartLine[];
}
