/** DI tokens for the clients the infrastructure module owns. */
export const CACHE_REDIS = Symbol('CACHE_REDIS');
export const KAFKA = Symbol('KAFKA');
