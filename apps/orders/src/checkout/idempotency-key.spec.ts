import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { orderIdFor, parseIdempotencyKey, requestHash } from './idempotency-key';

describe(parseIdempotencyKey.name, () => {
  it('accepts 8-128 characters of A-Z a-z 0-9 _ -', () => {
    expect(parseIdempotencyKey('9b2f4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11')).toBe(
      '9b2f4c0e-8a5e-4c1a-9a53-0e8f2d6b7a11',
    );
    expect(parseIdempotencyKey(['abcdefgh', 'ignored'])).toBe('abcdefgh');
  });

  it.each([undefined, '', 'short', 'x'.repeat(129), 'has space', 'semi;colon'])(
    'refuses %p naming the header',
    (key) => {
      expect(() => parseIdempotencyKey(key)).toThrow(BadRequestException);
      expect(() => parseIdempotencyKey(key)).toThrow(/Idempotency-Key header is required/);
    },
  );
});

describe(requestHash.name, () => {
  const a = { sku: 'SKU-000001', quantity: 1 };
  const b = { sku: 'SKU-000002', quantity: 2 };

  it('is the same for the same lines in any order', () => {
    expect(requestHash({ items: [a, b] })).toBe(requestHash({ items: [b, a] }));
  });

  it('differs for different quantities, and for the cart', () => {
    expect(requestHash({ items: [a] })).not.toBe(requestHash({ items: [{ ...a, quantity: 2 }] }));
    expect(requestHash({})).not.toBe(requestHash({ items: [a] }));
    expect(requestHash({})).toBe(requestHash({}));
  });
});

describe(orderIdFor.name, () => {
  const lines = [
    { sku: 'SKU-000002', quantity: 1 },
    { sku: 'SKU-000001', quantity: 3 },
  ];

  it('is a valid UUID, the same for a retry with the lines in any order', () => {
    const id = orderIdFor('u1', 'key-00000001', lines);
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(id[14]).toBe('8');
    expect(orderIdFor('u1', 'key-00000001', [...lines].reverse())).toBe(id);
  });

  it('differs for another user, another key or other lines', () => {
    const id = orderIdFor('u1', 'key-00000001', lines);
    expect(orderIdFor('u2', 'key-00000001', lines)).not.toBe(id);
    expect(orderIdFor('u1', 'key-00000002', lines)).not.toBe(id);
    expect(orderIdFor('u1', 'key-00000001', [{ sku: 'SKU-000001', quantity: 3 }])).not.toBe(id);
    expect(orderIdFor('u1', 'key-00000001', [lines[0], { ...lines[1], quantity: 4 }])).not.toBe(id);
  });
});
