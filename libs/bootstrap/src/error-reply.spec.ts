import { HttpException } from '@nestjs/common';
import { toErrorBody } from '@sdp/observability';
import { errorBody } from './error-reply';

describe(errorBody.name, () => {
  it('is the body HttpErrorFilter sends for an HttpException of that status and message', () => {
    for (const [status, message] of [
      [409, 'out of stock'],
      [422, 'unknown SKU: SKU-1'],
      [503, 'stock is busy'],
    ] as const) {
      expect(errorBody(status, message, 'req-1')).toEqual(
        toErrorBody(new HttpException(message, status), 'req-1'),
      );
    }
    expect(errorBody(422, 'unknown SKU: SKU-1', 'req-1')).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'unknown SKU: SKU-1',
      requestId: 'req-1',
    });
  });

  it('adds the fields a contract puts on top of the shape', () => {
    expect(errorBody(409, 'out of stock: SKU-1', 'req-1', { sku: 'SKU-1', available: 0 })).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'out of stock: SKU-1',
      requestId: 'req-1',
      sku: 'SKU-1',
      available: 0,
    });
  });
});
