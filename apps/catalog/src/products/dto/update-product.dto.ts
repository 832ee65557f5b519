import { OptionalField } from '@sdp/bootstrap';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const MAX_PRICE_CENTS = 100_000_000;

export class UpdateProductDto {
  @OptionalField()
  @IsString({ message: 'name must be a string' })
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  name?: string;

  @OptionalField()
  @IsString({ message: 'description must be a string' })
  @MaxLength(2_000, { message: 'description must be at most 2000 characters' })
  description?: string;

  @OptionalField()
  @IsInt({ message: 'priceCents must be an integer number of cents' })
  @Min(1, { message: 'priceCents must be at least 1' })
  @Max(MAX_PRICE_CENTS, { message: `priceCents must be at most ${MAX_PRICE_CENTS}` })
  priceCents?: number;
}

export type ProductChange = keyof UpdateProductDto;
export const productChangeFields: ProductChange[] = ['name', 'description', 'priceCents'];
