import { CreateUsers1764300000000 } from './1764300000000-create-users';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const gatewayMigrations = [CreateUsers1764300000000];
