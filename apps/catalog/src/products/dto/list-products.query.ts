import { OptionalField } from '@sdp/bootstrap';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const productSorts = ['name', 'price', '-price', 'newest'] as const;
export type ProductSort = (typeof productSorts)[number];

export class ListProductsQuery {
  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'page must be an integer' })
  @Min(1, { message: 'page must be at least 1' })
  @Max(10_000, { message: 'page must be at most 10000' })
  page: number = 1;

  @OptionalField()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1, { message: 'limit must be between 1 and 100' })
  @Max(100, { message: 'limit must be between 1 and 100' })
  limit: number = 20;

  @OptionalField()
  @IsString()
  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'category must be a category slug such as "audio"' })
  category?: string;

  @OptionalField()
  @IsString()
  @MinLength(2, { message: 'q must be at least 2 characters' })
  @MaxLength(64, { message: 'q must be at most 64 characters' })
  q?: string;

  @OptionalField()
  @IsIn(productSorts, { message: `sort must be one of ${productSorts.join(', ')}` })
  sort: ProductSort = 'name';

  /** `skus=SKU-000001,SKU-000002`: only these products (orders looks up prices at checkout). */
  @OptionalField()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value,
  )
  @IsArray({ message: 'skus must be a comma-separated list of SKUs' })
  @ArrayMaxSize(100, { message: 'skus must list at most 100 SKUs' })
  @Matches(/^[A-Z0-9-]{3,32}$/, { each: true, message: 'skus must list SKUs such as "SKU-000001"' })
  skus?: string[];
}
