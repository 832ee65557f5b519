export * from './events';
export * from './inventory-api';
export * from './http';
