import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { publicRead } from '../products/products.controller';
import { TopProductsQuery } from './dto/top-products.query';
import type { TopProductsView } from './dto/top-products.view';
import { BestSellersService } from './best-sellers.service';

@Controller('products')
export class BestSellersController {
  private readonly publicRead: string;

  constructor(
    private readonly bestSellers: BestSellersService,
    @Inject(CATALOG_CONFIG) config: CatalogConfig,
  ) {
    this.publicRead = publicRead(config.EDGE_CACHE_SECONDS);
  }

  /** Public and the same for everyone, so the edge may cache it like any product read. */
  @Get('top')
  async top(
    @Query() { n, window }: TopProductsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TopProductsView> {
    void reply.header('cache-control', this.publicRead);
    return this.bestSellers.top(n, window);
  }
}
