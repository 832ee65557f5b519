export * from './schema';
export * from './outbox';
export * from './relay';
export * from './inbox';
export * from './retention';
export * from './outbox.module';
