export * from './picture';
export * from './media-path';
export * from './demo-pictures';
