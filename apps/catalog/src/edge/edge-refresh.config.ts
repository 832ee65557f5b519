import { createHmac } from 'node:crypto';
import { url } from '@sdp/config';
import { z } from 'zod';

// A small config of its own (read from the process env), so the edge hook stays apart from the
// service's main config.
export const edgeRefreshConfigSchema = z.object({
  /** The edge (nginx CDN emulator); unset: no refresh is sent (tests, a stack without nginx). */
  EDGE_URL: url(['http', 'https']).optional(),
  INTERNAL_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

export interface EdgeRefreshConfig {
  edgeUrl?: string;
  token?: string;
}

export const EDGE_REFRESH_CONFIG = Symbol('EDGE_REFRESH_CONFIG');

/**
 * The token the edge accepts in X-Cache-Refresh: an HMAC of the stack's INTERNAL_AUTH_SECRET, the same
 * value infra/local renders into the edge config (edgeRefreshToken there), never the secret itself.
 */
export const edgeRefreshToken = (internalAuthSecret: string): string =>
  createHmac('sha256', internalAuthSecret).update('edge-cache-refresh').digest('hex');

export function loadEdgeRefreshConfig(env: NodeJS.ProcessEnv = process.env): EdgeRefreshConfig {
  const parsed = edgeRefreshConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid edge refresh config: ${issue.path.join('.')}: ${issue.message}`);
  }
  const { EDGE_URL, INTERNAL_AUTH_SECRET } = parsed.data;
  return {
    edgeUrl: EDGE_URL?.replace(/\/+$/, ''),
    token: INTERNAL_AUTH_SECRET ? edgeRefreshToken(INTERNAL_AUTH_SECRET) : undefined,
  };
}
