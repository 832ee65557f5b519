import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';
export const INSTANCE_ID_HEADER = 'x-instance-id';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Keeps a caller's request id when it is safe to log and echo (short, no spaces or control
 * characters), otherwise issues a new one. The id then follows the request through logs and events.
 */
export function resolveRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}
