import { Module } from '@nestjs/common';
import { ProductsRepository } from '../products/products.repository';
import { BestSellersController } from './best-sellers.controller';
import { BestSellersService } from './best-sellers.service';

@Module({
  controllers: [BestSellersController],
  providers: [BestSellersService, ProductsRepository],
})
export class BestSellersModule {}
