import { Module } from '@nestjs/common';
import { AuctionsController } from './auctions/auctions.controller';
import { AuctionsRepository } from './auctions/auctions.repository';
import { AuctionsService } from './auctions/auctions.service';
import { AuctionsMetrics } from './auctions.metrics';
import { BidsController } from './bids/bids.controller';
import { BidsService } from './bids/bids.service';
import { CloserController } from './closer/closer.controller';
import { CloserService } from './closer/closer.service';

@Module({
  controllers: [AuctionsController, BidsController, CloserController],
  providers: [AuctionsMetrics, AuctionsRepository, AuctionsService, BidsService, CloserService],
})
export class AuctionsModule {}
