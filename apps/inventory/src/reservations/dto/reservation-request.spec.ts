import { BadRequestException } from '@nestjs/common';
import { parseReservationRequest } from './reservation-request';

const orderId = '6f1c1b7e-9a52-4f7e-8d0a-2b1f3c4d5e6f';
const line = (sku: string, quantity: unknown) => ({ sku, quantity });

describe(parseReservationRequest.name, () => {
  it('accepts a valid request', () => {
    const request = { orderId, items: [line('SKU-000001', 2), line('SKU-000002', 100)] };
    expect(parseReservationRequest(request)).toEqual(request);
  });

  it.each([
    ['quantity 0', { orderId, items: [line('SKU-000001', 0)] }, /items\.0\.quantity/],
    ['a negative quantity', { orderId, items: [line('SKU-000001', -3)] }, /items\.0\.quantity/],
    ['a quantity over 100', { orderId, items: [line('SKU-000001', 101)] }, /items\.0\.quantity/],
    ['a fractional quantity', { orderId, items: [line('SKU-000001', 1.5)] }, /items\.0\.quantity/],
    ['a string quantity', { orderId, items: [line('SKU-000001', '2')] }, /items\.0\.quantity/],
    ['a bad SKU', { orderId, items: [line('sku 1', 1)] }, /items\.0\.sku: must be a SKU/],
    ['no items', { orderId, items: [] }, /items/],
    ['a bad order id', { orderId: 'nope', items: [line('SKU-000001', 1)] }, /orderId/],
    ['an unknown top-level field', { orderId, items: [line('SKU-000001', 1)], note: 'x' }, /note/],
    ['an unknown item field', { orderId, items: [{ ...line('SKU-000001', 1), price: 1 }] }, /price/],
    [
      'a repeated SKU',
      { orderId, items: [line('SKU-000001', 1), line('SKU-000001', 2)] },
      /repeated: SKU-000001/,
    ],
  ])('rejects %s with a 400 naming the problem', (_case, body, message) => {
    expect(() => parseReservationRequest(body)).toThrow(BadRequestException);
    expect(() => parseReservationRequest(body)).toThrow(message);
  });
});
