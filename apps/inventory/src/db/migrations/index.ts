import { CreateInventory1764300000000 } from './1764300000000-create-inventory';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const inventoryMigrations = [CreateInventory1764300000000];
