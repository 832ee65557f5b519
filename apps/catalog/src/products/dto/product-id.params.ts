import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

const MAX_INT4 = 2_147_483_647;
const message = 'id must be a positive integer';

/** Path ids are Postgres `integer`s: anything else is a 400 here, not an out-of-range 500 later. */
export class ProductIdParams {
  @Type(() => Number)
  @IsInt({ message })
  @Min(1, { message })
  @Max(MAX_INT4, { message })
  id!: number;
}
