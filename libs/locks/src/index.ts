export * from './errors';
export * from './keys';
export * from './lock.service';
export * from './redlock.service';
export * from './zookeeper.service';
export * from './lock.module';
export * from './local-queue';
