import { CreatePayments1764400000000 } from './1764400000000-create-payments';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const paymentsMigrations = [CreatePayments1764400000000];
