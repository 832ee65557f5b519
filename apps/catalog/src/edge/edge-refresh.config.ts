import { edgeRefreshToken } from '@sdp/identity';
import type { CatalogConfig } from '../config';

/** Where the edges are (none: no refresh is sent) and the token they accept on a refresh. */
export interface EdgeRefreshConfig {
  /** Every edge to refresh (one per region), without a trailing slash. */
  edgeUrls: string[];
  token: string;
}

export const EDGE_REFRESH_CONFIG = Symbol('EDGE_REFRESH_CONFIG');

/** The edge refresher's settings, from the catalog's own (validated) config. */
export const edgeRefreshSettings = ({
  EDGE_URL,
  EDGE_URLS,
  INTERNAL_AUTH_SECRET,
}: Pick<CatalogConfig, 'EDGE_URL' | 'INTERNAL_AUTH_SECRET'> &
  Partial<Pick<CatalogConfig, 'EDGE_URLS'>>): EdgeRefreshConfig => ({
  edgeUrls: [
    ...new Set([...(EDGE_URL ? [EDGE_URL] : []), ...(EDGE_URLS ?? [])].map((u) => u.replace(/\/+$/, ''))),
  ],
  token: edgeRefreshToken(INTERNAL_AUTH_SECRET),
});
