import { Controller, Get, Header, Query } from '@nestjs/common';
import { OptionalField } from '@sdp/bootstrap';
import { Matches } from 'class-validator';
import { AvailabilityService } from './availability.service';

export class InStockQuery {
  @OptionalField()
  @Matches(/^[a-z0-9-]{1,40}$/, { message: 'category must be a category slug such as "audio"' })
  category?: string;
}

export interface InStockView {
  category: string | null;
  skus: string[];
}

@Controller('products')
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  /** SKUs with stock (in a category): a set intersection in Redis. Short edge TTL: stock moves. */
  @Get('in-stock')
  @Header('Cache-Control', 'public, max-age=0, s-maxage=5')
  async inStock(@Query() { category }: InStockQuery): Promise<InStockView> {
    return { category: category ?? null, skus: await this.availability.inStock(category) };
  }
}
