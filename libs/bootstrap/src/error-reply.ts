import { type ArgumentsHost, HttpException, Logger } from '@nestjs/common';
import { type ErrorBody, toErrorBody } from '@sdp/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The one error body every service answers with: {statusCode, error, message, requestId}, exactly
 * what the global HttpErrorFilter sends for an HttpException of that status, plus any fields a
 * contract adds on top (the SKU and what is left of an out-of-stock 409).
 */
export function errorBody<Extra extends object = object>(
  statusCode: number,
  message: string,
  requestId: string,
  extra?: Extra,
): ErrorBody & Extra {
  return { ...toErrorBody(new HttpException(message, statusCode), requestId), ...(extra as Extra) };
}

/** How a service answers one of its domain errors over HTTP. */
export interface ErrorAnswer {
  statusCode: number;
  message: string;
  /** Fields the contract adds to the error body (see errorBody). */
  extra?: object;
}

const logger = new Logger('DomainErrorFilter');

/**
 * Sends a domain error's answer from a service's exception filter (the one place where that
 * service turns domain errors into HTTP), in the one error body. A 5xx is logged with its cause,
 * as HttpErrorFilter logs the errors it answers.
 */
export function replyWithError(host: ArgumentsHost, answer: ErrorAnswer, cause: unknown): void {
  const http = host.switchToHttp();
  const requestId = String(http.getRequest<FastifyRequest>().id);
  const body = errorBody(answer.statusCode, answer.message, requestId, answer.extra);
  if (body.statusCode >= 500) logger.error({ err: cause, requestId }, 'request failed');
  void http.getResponse<FastifyReply>().status(body.statusCode).send(body);
}
