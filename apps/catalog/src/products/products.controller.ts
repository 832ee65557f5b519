import { Body, Controller, Get, Header, Param, Put, Query, Req, Res } from '@nestjs/common';
import { RequireIdentity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ListProductsQuery } from './dto/list-products.query';
import { ProductIdParams } from './dto/product-id.params';
import type { ProductPage, ProductView } from './dto/product.view';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductsService } from './products.service';

/** Shared caches (the CDN edge) may keep public reads briefly; browsers always revalidate. */
const PUBLIC_READ = 'public, max-age=0, s-maxage=30, stale-while-revalidate=30, stale-if-error=300';

@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  @Header('Cache-Control', PUBLIC_READ)
  async list(
    @Query() query: ListProductsQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductPage> {
    const { value, cache } = await this.products.list(query);
    void reply.header('x-cache', cache);
    return value;
  }

  @Get(':id')
  @Header('Cache-Control', PUBLIC_READ)
  async get(
    @Param() { id }: ProductIdParams,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProductView> {
    const { value, cache } = await this.products.get(id);
    void reply.header('x-cache', cache);
    return value;
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
