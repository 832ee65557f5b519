type IncomingHeaders = Record<string, string | string[] | undefined>;

/**
 * Request headers a client may send through to a service. An allow-list, not a deny-list: anything
 * else (Authorization, cookies, and above all x-user-* / x-identity-* that would forge an identity)
 * stops here. The gateway adds the request id, X-Forwarded-For and, on signed-in routes, the signed
 * identity itself.
 */
export const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'idempotency-key',
  'if-none-match',
  'if-modified-since',
  'last-event-id',
  'user-agent',
] as const;

/** Response headers a service's answer keeps on its way back to the client. */
export const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'etag',
  'last-modified',
  'location',
  'vary',
  'retry-after',
  'x-cache',
  'x-instance-id',
  'idempotent-replayed',
] as const;

/** Headers the lb adds about itself (which replica answered, upstream timing) pass through too. */
const FORWARDED_RESPONSE_PREFIXES = ['x-lb-', 'x-upstream-'];

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

export interface UpstreamRequestContext {
  requestId: string;
  clientIp: string;
  /** The X-Forwarded-For chain we received (from the edge), extended with the peer that sent it to us. */
  forwardedFor?: string;
  /** Signed identity headers (libs/identity signIdentity) for signed-in routes; none on public routes. */
  identity?: Record<string, string>;
}

export function upstreamRequestHeaders(incoming: IncomingHeaders, context: UpstreamRequestContext) {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = first(incoming[name]);
    if (value !== undefined) headers[name] = value;
  }
  headers['x-request-id'] = context.requestId;
  headers['x-forwarded-for'] = context.forwardedFor ?? context.clientIp;
  return { ...headers, ...(context.identity ?? {}) };
}

/**
 * True when a shared cache (the edge) may store this response and hand it to anyone: the origin
 * said `public` or gave an `s-maxage`, and nothing made it private.
 */
export function sharedCacheable(cacheControl: string | string[] | undefined): boolean {
  const value = (Array.isArray(cacheControl) ? cacheControl.join(',') : (cacheControl ?? '')).toLowerCase();
  return /\b(public|s-maxage)\b/.test(value) && !/\b(private|no-store)\b/.test(value);
}

export function downstreamResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  personal: boolean,
): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const allowed =
      (FORWARDED_RESPONSE_HEADERS as readonly string[]).includes(lower) ||
      FORWARDED_RESPONSE_PREFIXES.some((prefix) => lower.startsWith(prefix));
    if (allowed) headers[lower] = value;
  }
  // A response for a signed-in caller must never land in a shared cache (the edge) or the browser's.
  if (personal) headers['cache-control'] = 'private, no-store';
  return headers;
}
