import { CreateAuctions1765200000000 } from './1765200000000-create-auctions';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const auctionsMigrations = [CreateAuctions1765200000000];
