export * from './schema';
export * from './outbox';
export * from './relay';
export * from './inbox';
export * from './outbox.module';
