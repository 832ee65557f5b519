import { edgeRefreshToken } from '@sdp/identity';
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
