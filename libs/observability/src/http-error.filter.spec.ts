import { BadRequestException, NotFoundException } from '@nestjs/common';
import { toErrorBody } from './http-error.filter';

describe(toErrorBody.name, () => {
  it('shapes HTTP exceptions, joining validation messages', () => {
    expect(toErrorBody(new BadRequestException(['page must be ≥ 1', 'limit must be ≤ 100']), 'r1')).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'page must be ≥ 1; limit must be ≤ 100',
      requestId: 'r1',
    });
    expect(toErrorBody(new NotFoundException('product 7 not found'), 'r2').error).toBe('Not Found');
  });

  it('keeps a framework client error (bad JSON) a 4xx', () => {
    const fastifyError = Object.assign(new Error('Body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON' });
    expect(toErrorBody(fastifyError, 'r3')).toMatchObject({ statusCode: 400, message: 'Body is not valid JSON' });
  });

  it('hides the details of unexpected errors', () => {
    expect(toErrorBody(new Error('password=hunter2 in connection string'), 'r4')).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      requestId: 'r4',
    });
  });
});
