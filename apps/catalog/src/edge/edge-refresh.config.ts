import { edgeRefreshToken } from '@sdp/identity';
import type { CatalogConfig } from '../config';

/** Where the edge is (unset: no refresh is sent) and the token it accepts on a refresh. */
export interface EdgeRefreshConfig {
  edgeUrl?: string;
  token: string;
}

export const EDGE_REFRESH_CONFIG = Symbol('EDGE_REFRESH_CONFIG');

/** The edge refresher's settings, from the catalog's own (validated) config. */
export const edgeRefreshSettings = ({
  EDGE_URL,
  INTERNAL_AUTH_SECRET,
}: Pick<CatalogConfig, 'EDGE_URL' | 'INTERNAL_AUTH_SECRET'>): EdgeRefreshConfig => ({
  edgeUrl: EDGE_URL?.replace(/\/+$/, ''),
  token: edgeRefreshToken(INTERNAL_AUTH_SECRET),
});
