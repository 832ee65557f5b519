import { CreateCatalog1764200000000 } from './1764200000000-create-catalog';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const catalogMigrations = [CreateCatalog1764200000000];
