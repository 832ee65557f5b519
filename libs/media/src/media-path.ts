// Media URLs: `/media/<key>.<hash>.<format>[?w=<width>]`, e.g.
// `/media/products/audio/headphones.3fa9c2d14b.webp?w=320`. The hash is the master's content hash,
// so a new picture is a new URL and every copy of the old one may be kept forever (immutable).
// The same key without a hash (`/media/products/audio/headphones.webp`) is the mutable alias: it
// always names the current master and may be cached only for a short TTL.

export const MEDIA_PREFIX = '/media/';

/** The widths the origin renders (a fixed set: an arbitrary ?w= would let anyone fill the caches). */
export const mediaWidths = [160, 320, 640] as const;
export type MediaWidth = (typeof mediaWidths)[number];
export const DEFAULT_MEDIA_WIDTH: MediaWidth = 640;

export const mediaFormats = { webp: 'image/webp', jpg: 'image/jpeg' } as const;
export type MediaFormat = keyof typeof mediaFormats;

export interface MediaRequest {
  /** e.g. `products/audio/headphones` */
  key: string;
  /** The master's content hash from the URL; undefined for the mutable alias. */
  hash?: string;
  format: MediaFormat;
  width: MediaWidth;
}

export type ParsedMediaRequest =
  { ok: true; request: MediaRequest } | { ok: false; status: 400 | 404; message: string };

const PATH =
  /^\/media\/((?:[a-z0-9]+(?:-[a-z0-9]+)*\/)*[a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([0-9a-f]{10}))?\.([a-z0-9]+)$/;

/** `Headphones` → `headphones`, `Docking Station` → `docking-station`. */
export const mediaSlug = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

export const mediaPath = (key: string, hash: string, format: MediaFormat = 'webp'): string =>
  `${MEDIA_PREFIX}${key}.${hash}.${format}`;

/** The same picture in another format (the storefront's JPEG fallback of a WebP path). */
export const withMediaFormat = (path: string, format: MediaFormat): string =>
  path.replace(/\.(webp|jpg)$/, `.${format}`);

/**
 * Reads a media request. A path that cannot name a media object is a 404 (like any missing
 * object); a well-formed path with a format or query the origin does not serve is a 400 naming it.
 */
export function parseMediaRequest(pathname: string, query: Record<string, unknown> = {}): ParsedMediaRequest {
  const match = PATH.exec(pathname);
  if (!match) return { ok: false, status: 404, message: `no media object at ${pathname.slice(0, 200)}` };
  const [, key, hash, ext] = match;
  if (!(ext in mediaFormats))
    return {
      ok: false,
      status: 400,
      message: `format ".${ext}" is not served: use one of ${Object.keys(mediaFormats).join(', ')}`,
    };
  const unknown = Object.keys(query).filter((name) => name !== 'w');
  if (unknown.length > 0)
    return {
      ok: false,
      status: 400,
      message: `unknown query parameter "${unknown[0].slice(0, 40)}": only w is accepted`,
    };
  let width: MediaWidth = DEFAULT_MEDIA_WIDTH;
  if (query.w !== undefined) {
    const w = Number(query.w);
    if (typeof query.w !== 'string' || !mediaWidths.includes(w as MediaWidth))
      return { ok: false, status: 400, message: `w must be one of ${mediaWidths.join(', ')}` };
    width = w as MediaWidth;
  }
  return { ok: true, request: { key, hash, format: ext as MediaFormat, width } };
}
