// The public API's request and response shapes, one file per resource. The gateway's OpenAPI
// document is generated from them (apps/gateway/src/openapi), the storefront's types from that
// document, and orders parses what catalog and inventory answer with them.
export * from './auctions';
export * from './auth';
export * from './cart';
export * from './control';
export * from './delivery';
export * from './errors';
export * from './inventory';
export * from './json-schema';
export * from './notifications';
export * from './orders';
export * from './payments';
export * from './products';
