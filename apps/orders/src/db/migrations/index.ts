import { CreateOrders1764300000000 } from './1764300000000-create-orders';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const ordersMigrations = [CreateOrders1764300000000];
