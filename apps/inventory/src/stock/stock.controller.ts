import { Body, Controller, Get, Header, Param, Put, Req, UseFilters } from '@nestjs/common';
import { RequireIdentity } from '@sdp/identity';
import type { FastifyRequest } from 'fastify';
import { InventoryErrorFilter } from '../inventory-errors.filter';
import { SetStockDto, SkuParams } from './dto/stock.dto';
import type { StockView } from './stock.repository';
import { StockService } from './stock.service';

@Controller('stock')
@UseFilters(InventoryErrorFilter)
export class StockController {
  constructor(private readonly stock: StockService) {}

  /** Public, but never cached: availability changes with every checkout. */
  @Get(':sku')
  @Header('Cache-Control', 'no-store')
  get(@Param() { sku }: SkuParams): Promise<StockView> {
    return this.stock.get(sku);
  }

  @Put(':sku')
  @RequireIdentity('admin')
  @Header('Cache-Control', 'no-store')
  set(
    @Param() { sku }: SkuParams,
    @Body() body: SetStockDto,
    @Req() request: FastifyRequest,
  ): Promise<StockView> {
    return this.stock.set(sku, body.onHand, String(request.id));
  }
}
