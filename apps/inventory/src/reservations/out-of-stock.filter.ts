import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { OutOfStockBody } from '@sdp/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OutOfStockError } from './reservation.errors';

/** 409 in the shared error shape plus the SKU and what is left, so orders can tell the user. */
@Catch(OutOfStockError)
export class OutOfStockFilter implements ExceptionFilter {
  catch(error: OutOfStockError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const body: OutOfStockBody = {
      statusCode: 409,
      error: 'Conflict',
      message: `out of stock: ${error.message}`,
      sku: error.sku,
      available: error.available,
      requestId: String(http.getRequest<FastifyRequest>().id),
    };
    void http.getResponse<FastifyReply>().status(409).send(body);
  }
}
