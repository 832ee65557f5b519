export * from './events';
export * from './inventory-api';
