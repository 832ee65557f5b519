import { Module } from '@nestjs/common';
import { ProductsModule } from '../products/products.module';
import { MeController } from './me.controller';
import { RecentlyViewedService } from './recently-viewed.service';

@Module({
  imports: [ProductsModule],
  controllers: [MeController],
  providers: [RecentlyViewedService],
})
export class MeModule {}
