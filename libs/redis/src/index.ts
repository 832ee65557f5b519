export * from './connect';
export * from './redis.module';
