import { Body, Controller, Get, Header, Inject, Param, Put, Query, Req, Res } from '@nestjs/common';
import { RequireIdentity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AvailabilityService } from '../availability/availability.service';
import { CATALOG_CONFIG, type CatalogConfig } from '../config';
import { ListProductsQuery } from './dto/list-products.query';
import { ProductIdParams } from './dto/product-id.params';
import type { ProductPage, ProductView } from './dto/product.view';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductsService } from './products.service';

/** Shared caches (the CDN edge) may keep public reads for `seconds`; browsers always revalidate. */
export const publicRead = (seconds: number): string =>
  `public, max-age=0, s-maxage=${seconds}, stale-while-revalidate=${seconds}, stale-if-error=300`;

@Controller('products')
export class ProductsController {
  private readonly publicRead: string;

  constructor(
    private readonly products: ProductsService,
    private readonly availability: AvailabilityService,
    @Inject(CATALOG_CONFIG) config: CatalogConfig,
  ) {
    this.publicRead = publicRead(config.EDGE_CACHE_SECONDS);
  }

  @Get()
  async list(
    @Query() query: ListProductsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductPage> {
    const { value, cache } = await this.products.list(query);
    void reply.header('x-cache', cache).header('cache-control', this.publicRead);
    return value;
  }

  @Get(':id')
  async get(
    @Param() { id }: ProductIdParams,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductView> {
    const { value, cache } = await this.products.get(id);
    void reply.header('x-cache', cache).header('cache-control', this.publicRead);
    // Availability is laid over the cached product, so a stock change never invalidates the product entry.
    const available = await this.availability.available(value.sku);
    return available === undefined ? value : { ...value, available };
  }

  /** Admins only: the gateway signs the caller's identity; a direct call without it is a 401. */
  @Put(':id')
  @RequireIdentity('admin')
  @Header('Cache-Control', 'no-store')
  update(
    @Param() { id }: ProductIdParams,
    @Body() changes: UpdateProductDto,
    @Req() request: FastifyRequest,
  ): Promise<ProductView> {
    return this.products.update(id, changes, String(request.id));
  }
}
