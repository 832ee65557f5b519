import { MAX_INPUT_DEPTH, requestInputProblem } from './request-input';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe(requestInputProblem.name, () => {
  it.each([
    ['a plain body', { name: 'Lamp 💡', items: [{ sku: 'SKU-1', quantity: 2 }], note: null }],
    ['text with a proper surrogate pair and combining marks', { name: '𝕏 é\u0301 \u202e' }],
    ['a scalar', 'hello'],
    ['nothing', undefined],
    [`nesting of exactly ${MAX_INPUT_DEPTH} levels`, nested(MAX_INPUT_DEPTH)],
  ])('accepts %s', (_case, value) => {
    expect(requestInputProblem(value)).toBeUndefined();
  });

  it.each([
    ['a NUL in a field', { email: 'a\u0000@example.com' }, 'email must not contain NUL'],
    ['a NUL in a nested field', { items: [{ sku: 'SKU\u0000' }] }, 'items.0.sku must not contain NUL'],
    ['a lone surrogate', { name: 'x\ud800' }, 'name must not contain NUL characters or lone surrogates'],
    ['a NUL in a key', { 'na\u0000me': 'x' }, 'body must not have a key containing NUL'],
    ['a NUL as the whole body', '\u0000', 'body must not contain NUL'],
    [
      'nesting past the limit',
      nested(MAX_INPUT_DEPTH + 1),
      `body must not nest deeper than ${MAX_INPUT_DEPTH}`,
    ],
    ['nesting far past the limit (no stack overflow)', nested(500_000), 'body must not nest deeper'],
    ['a constructor key', { description: '', constructor: [] }, 'constructor is not an accepted field'],
    [
      'a toString key (fuzz seed 1354190735)',
      { sku: 'A-0', toString: {} },
      'toString is not an accepted field',
    ],
    ['a valueOf key', { valueOf: 1 }, 'valueOf is not an accepted field'],
    [
      'a nested __proto__ key',
      JSON.parse('{"items":[{"__proto__":{"admin":true}}]}') as unknown,
      'items.0.__proto__ is not an accepted field',
    ],
    ['a prototype key', { prototype: 1 }, 'prototype is not an accepted field'],
  ])('refuses %s, naming the field', (_case, value, message) => {
    expect(requestInputProblem(value)).toContain(message);
  });

  it('names query and path parameters as such', () => {
    expect(requestInputProblem({ q: 'x\u0000' }, 'query')).toBe(
      'query parameter q must not contain NUL characters or lone surrogates',
    );
    expect(requestInputProblem({ id: '\u0000' }, 'path')).toContain('path parameter id must not');
    expect(requestInputProblem({ constructor: '1' }, 'query')).toBe(
      'query parameter constructor is not an accepted field',
    );
  });
});
