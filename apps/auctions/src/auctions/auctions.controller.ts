import { Body, Controller, Get, Header, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import type { Auction } from '@sdp/contracts';
import { CurrentIdentity, RequireIdentity, type Identity } from '@sdp/identity';
import { AuctionsErrorFilter } from '../auctions-errors.filter';
import { AuctionsService } from './auctions.service';
import { AuctionIdParams, CreateAuctionDto } from './dto/auction.dto';

@Controller('auctions')
@UseFilters(AuctionsErrorFilter)
export class AuctionsController {
  constructor(private readonly auctions: AuctionsService) {}

  @Post()
  @HttpCode(201)
  @RequireIdentity('admin')
  @Header('Cache-Control', 'no-store')
  create(@CurrentIdentity() caller: Identity, @Body() body: CreateAuctionDto): Promise<Auction> {
    return this.auctions.create(caller, body);
  }

  /**
   * Public and edge-cacheable for one second: in the last-second storm thousands of watchers read
   * the same auction, and a price at most a second old is fine to look at (bids are never cached,
   * and every bid is checked against the row, not against this view).
   */
  @Get(':id')
  @Header('Cache-Control', 'public, max-age=0, s-maxage=1, stale-while-revalidate=1')
  get(@Param() { id }: AuctionIdParams): Promise<Auction> {
    return this.auctions.get(id);
  }
}
