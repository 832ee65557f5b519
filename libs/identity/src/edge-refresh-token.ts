import { createHmac } from 'node:crypto';

/**
 * The token the edge accepts in X-Cache-Refresh (a cache-bypass refresh from inside the stack):
 * an HMAC of the stack's INTERNAL_AUTH_SECRET, so the rendered nginx config and the compose .env hold
 * a value that cannot sign identities. One derivation for every side: catalog sends it, the native
 * runner and the compose tooling render it into the edge.
 */
export const edgeRefreshToken = (internalAuthSecret: string): string =>
  createHmac('sha256', internalAuthSecret).update('edge-cache-refresh').digest('hex');
