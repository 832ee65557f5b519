export * from './identity';
export * from './identity.guard';
