import { CreateDelivery1764700000000 } from './1764700000000-create-delivery';
import { CancelledJobs1764800000000 } from './1764800000000-cancelled-jobs';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const deliveryMigrations = [CreateDelivery1764700000000, CancelledJobs1764800000000];
