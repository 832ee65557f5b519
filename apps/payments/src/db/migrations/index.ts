import { CreatePayments1764400000000 } from './1764400000000-create-payments';
import { CreateRefunds1764600000000 } from './1764600000000-create-refunds';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const paymentsMigrations = [CreatePayments1764400000000, CreateRefunds1764600000000];
