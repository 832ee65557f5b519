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
    const fastifyError = Object.assign(new Error('Body is not valid JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON',
    });
    expect(toErrorBody(fastifyError, 'r3')).toMatchObject({
      statusCode: 400,
      message: 'Body is not valid JSON',
    });
  });

  it('hides the details of unexpected errors', () => {
    expect(toErrorBody(new Error('password=hunter2 in connection string'), 'r4')).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      requestId: 'r4',
    });
  });

  it('answers 503 when a backing service is unreachable, not 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:55432'), {
      code: 'ECONNREFUSED',
    });
    const adminShutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    for (const error of [refused, adminShutdown, new Error('timeout exceeded when trying to connect')]) {
      expect(toErrorBody(error, 'r5')).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    }
    expect(toErrorBody(Object.assign(new Error('duplicate key'), { code: '23505' }), 'r6').statusCode).toBe(
      500,
    );
  });
});
