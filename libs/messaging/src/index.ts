export * from './envelope';
export * from './headers';
export * from './kafka';
export * from './publisher';
export * from './consumer';
export * from './retry';
export * from './kafka.module';
export * from './consume';
