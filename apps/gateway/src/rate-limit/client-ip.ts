/**
 * The client's address for per-IP rate limits. Each proxy appends the address it received the
 * request from to X-Forwarded-For, so with N trusted proxies in front of us (the edge: N = 1) the
 * client is the N-th entry from the right. Entries further left were written by the client itself
 * and can say anything, so they are never used. With N = 0, or without the header, the socket peer
 * is the client.
 */
export function clientIp(
  forwardedFor: string | string[] | undefined,
  socketAddress: string | undefined,
  trustedHops: number,
): string {
  const peer = normalise(socketAddress ?? 'unknown');
  if (trustedHops <= 0 || forwardedFor === undefined) return peer;
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const candidate = chain[chain.length - trustedHops];
  return candidate && isIp(candidate) ? normalise(candidate) : peer;
}

/** The X-Forwarded-For to send upstream: what we received plus the peer that sent it to us. */
export const extendForwardedFor = (forwardedFor: string | string[] | undefined, peer: string | undefined) =>
  [Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor, peer].filter(Boolean).join(', ');

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;
const isIp = (value: string): boolean => IPV4.test(value) || (value.includes(':') && IPV6.test(value));

/** `::ffff:10.0.0.1` (IPv4 seen by an IPv6 socket) and `10.0.0.1` are the same client. */
const normalise = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
