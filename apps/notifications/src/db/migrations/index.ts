import { CreateNotifications1764500000000 } from './1764500000000-create-notifications';

/** Every migration, in order. Listed explicitly (no globs) so bundles and tests see the same set. */
export const notificationsMigrations = [CreateNotifications1764500000000];
