import { Body, Controller, Get, Header, Put } from '@nestjs/common';
import { RequireIdentity } from '@sdp/identity';
import { WriteStrategyDto } from './dto/write-strategy.dto';
import { ProductsService } from './products.service';

/** Runtime cache settings for admins; stored in Redis, so every replica switches together. */
@Controller('admin/cache')
@RequireIdentity('admin')
export class AdminCacheController {
  constructor(private readonly products: ProductsService) {}

  @Get('write-strategy')
  @Header('Cache-Control', 'no-store')
  async getWriteStrategy(): Promise<WriteStrategyDto> {
    return { strategy: await this.products.writeStrategy.get() };
  }

  @Put('write-strategy')
  @Header('Cache-Control', 'no-store')
  async setWriteStrategy(@Body() { strategy }: WriteStrategyDto): Promise<WriteStrategyDto> {
    return { strategy: await this.products.setWriteStrategy(strategy) };
  }
}
