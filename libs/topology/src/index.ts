export * from './infra';
export * from './services';
export * from './env';
export * from './consumer-groups';
export * from './cdn';
