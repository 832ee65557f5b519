import { IsInt, Matches, Max, Min } from 'class-validator';

export class SkuParams {
  @Matches(/^[A-Z0-9-]{3,32}$/, { message: 'sku must be a SKU such as "SKU-000001"' })
  sku!: string;
}

export const MAX_ON_HAND = 1_000_000;

export class SetStockDto {
  @IsInt({ message: 'onHand must be an integer' })
  @Min(0, { message: 'onHand must be at least 0' })
  @Max(MAX_ON_HAND, { message: `onHand must be at most ${MAX_ON_HAND}` })
  onHand!: number;
}
