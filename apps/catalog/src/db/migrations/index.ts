import { CreateCatalog1764200000000 } from './1764200000000-create-catalog';
import { ProductStats1764300000000 } from './1764300000000-product-stats';
import { ProductStatsSold1764400000000 } from './1764400000000-product-stats-sold';
import { CatalogOutbox1764500000000 } from './1764500000000-catalog-outbox';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const catalogMigrations = [
  CreateCatalog1764200000000,
  ProductStats1764300000000,
  ProductStatsSold1764400000000,
  CatalogOutbox1764500000000,
];
