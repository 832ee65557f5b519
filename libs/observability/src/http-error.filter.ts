import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
}

/** Fastify's own client errors (bad JSON, wrong content type, body too large) carry a statusCode. */
interface FastifyClientError {
  statusCode?: number;
  code?: string;
  message: string;
}

/**
 * Every error leaves in one shape: {statusCode, error, message, requestId}. Unknown errors become a
 * 500 with a generic message (details go to the log, not to the caller).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toErrorBody(exception, String(request.id));
    if (body.statusCode >= 500)
      this.logger.error({ err: exception, requestId: body.requestId }, 'request failed');
    void reply.status(body.statusCode).send(body);
  }
}

export function toErrorBody(exception: unknown, requestId: string): ErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    return { statusCode, error: reasonPhrase(statusCode), message, requestId };
  }
  const clientError = exception as FastifyClientError | undefined;
  const status = clientError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { statusCode: status, error: reasonPhrase(status), message: clientError!.message, requestId };
  }
  if (isDependencyOutage(exception)) {
    const statusCode = HttpStatus.SERVICE_UNAVAILABLE;
    return {
      statusCode,
      error: reasonPhrase(statusCode),
      message: 'A backing service is unavailable; try again shortly',
      requestId,
    };
  }
  const statusCode = HttpStatus.INTERNAL_SERVER_ERROR;
  return { statusCode, error: reasonPhrase(statusCode), message: 'Internal server error', requestId };
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * A database or broker that cannot be reached is not a bug in this service: answer 503 (retryable)
 * rather than 500. Postgres SQLSTATE class 08 is "connection exception", 57P0x "operator
 * intervention" (shutdown), 3D000 "database does not exist"; also the pool's own timeout.
 */
export function isDependencyOutage(exception: unknown): boolean {
  const error = exception as { code?: unknown; message?: unknown } | undefined;
  const code = typeof error?.code === 'string' ? error.code : '';
  const message = typeof error?.message === 'string' ? error.message : '';
  return (
    NETWORK_ERRORS.has(code) ||
    /^(08|57P0)/.test(code) ||
    code === '3D000' ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  );
}

const reasonPhrase = (status: number): string =>
  (HttpStatus[status] ?? 'ERROR')
    .toString()
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
