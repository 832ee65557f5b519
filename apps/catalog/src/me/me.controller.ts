import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import { RecentlyViewedDto, type RecentlyViewedView } from './dto/recently-viewed.dto';
import { RecentlyViewedService } from './recently-viewed.service';

/** Personal data: needs the gateway-signed identity, and is never cached by shared caches. */
@Controller('me/recently-viewed')
@RequireIdentity('customer', 'admin')
export class MeController {
  constructor(private readonly recentlyViewed: RecentlyViewedService) {}

  @Post()
  @HttpCode(204)
  @Header('Cache-Control', 'no-store')
  async record(
    @CurrentIdentity() identity: Identity,
    @Body() { productId }: RecentlyViewedDto,
  ): Promise<void> {
    await this.recentlyViewed.record(identity.userId, productId);
  }

  @Get()
  @Header('Cache-Control', 'private, no-store')
  list(@CurrentIdentity() identity: Identity): Promise<RecentlyViewedView> {
    return this.recentlyViewed.list(identity.userId);
  }
}
