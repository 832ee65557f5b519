import { ApiError } from './api';
import { describeError, outOfStockMessage } from './errors';

describe('describeError', () => {
  it('shows the API message with its request id', () => {
    expect(describeError(new ApiError(502, 'Upstream down', 'req-1'))).toBe('Upstream down (request req-1)');
    expect(describeError(new ApiError(0, 'Cannot reach the shop.'))).toBe('Cannot reach the shop.');
  });

  it('falls back to any error message or the value itself', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
  });
});

describe('outOfStockMessage', () => {
  it('says "Out of stock" once, whatever the API wording', () => {
    expect(outOfStockMessage(new ApiError(409, 'out of stock: SKU-000123 (wanted 3, 1 available)'))).toBe(
      'Out of stock: SKU-000123 (wanted 3, 1 available). Lower the quantity or remove the item, then check out again.',
    );
    expect(outOfStockMessage(new ApiError(409, 'SKU-000123 has 0 left', 'r'))).toBe(
      'Out of stock: SKU-000123 has 0 left (request r). Lower the quantity or remove the item, then check out again.',
    );
  });
});
