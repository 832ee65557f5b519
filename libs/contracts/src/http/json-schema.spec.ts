import { z } from 'zod';
import { cart, checkoutRequest, componentSchemas, jsonSchemaOf, registerRequest } from '..';

describe('zod → OpenAPI JSON Schema', () => {
  it('refers to schemas with an id by $ref to their component', () => {
    expect(jsonSchemaOf(cart)).toEqual({ $ref: '#/components/schemas/Cart' });
    expect(jsonSchemaOf(checkoutRequest)).toEqual({
      type: 'object',
      properties: {
        items: { type: 'array', minItems: 1, maxItems: 50, items: { $ref: '#/components/schemas/CartLine' } },
      },
    });
    expect(componentSchemas().Cart).toEqual({
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/CartLine' } } },
      required: ['items'],
    });
  });

  it("drops what zod adds that tells a client nothing: a format's regex, the ±2^53 bounds of an int", () => {
    expect(jsonSchemaOf(z.object({ n: z.int(), at: z.iso.datetime(), id: z.uuid() }))).toEqual({
      type: 'object',
      properties: {
        n: { type: 'integer' },
        at: { type: 'string', format: 'date-time' },
        id: { type: 'string', format: 'uuid' },
      },
      required: ['n', 'at', 'id'],
    });
  });

  it('says a strict object takes no other property, and a plain one does not say', () => {
    expect(componentSchemas().RegisterRequest).toMatchObject({ additionalProperties: false });
    expect(
      registerRequest.safeParse({ email: 'a@b.co', password: '12345678', name: 'A', role: 'admin' }).success,
    ).toBe(false);
    expect(componentSchemas().CartLine).not.toHaveProperty('additionalProperties');
  });
});
