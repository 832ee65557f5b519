export * from './identity';
export * from './identity.guard';
export * from './edge-refresh-token';
