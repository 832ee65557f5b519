export * from './wan-link';
export * from './config';
