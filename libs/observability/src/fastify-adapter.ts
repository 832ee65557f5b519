import type { IncomingMessage } from 'node:http';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { REQUEST_ID_HEADER, resolveRequestId } from './request-id';

/**
 * Fastify owns the request id: it is decided once, when the request arrives, and copied onto the
 * raw request so pino-http (which only sees the raw request) logs the same id.
 */
export function createFastifyAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: 256 * 1024,
    genReqId: (raw: IncomingMessage) => {
      const id = resolveRequestId(raw.headers[REQUEST_ID_HEADER]);
      (raw as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  });
}
