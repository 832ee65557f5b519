import { IsInt, Max, Min } from 'class-validator';
import type { ProductView } from '../../products/dto/product.view';

const message = 'productId must be a positive integer';

export class RecentlyViewedDto {
  @IsInt({ message })
  @Min(1, { message })
  @Max(2_147_483_647, { message })
  productId!: number;
}

export interface RecentlyViewedView {
  items: ProductView[];
}
