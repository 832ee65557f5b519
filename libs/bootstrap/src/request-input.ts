import { ValidateIf } from 'class-validator';

/** Real bodies nest 3 levels at most; past this a body is hostile, not data. */
export const MAX_INPUT_DEPTH = 16;

/**
 * Use instead of class-validator's `@IsOptional()`, which skips a field that is `null` as well as
 * one that is absent, so a JSON `null` reached Postgres (a NOT NULL violation, a 500). Here only an
 * absent field is skipped: `null` is validated like any other value and fails with a 400 naming
 * the field. (A field where null means something should say so with its own validators.)
 */
export const OptionalField = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);

/** A NUL character (Postgres text refuses it) or a lone UTF-16 surrogate (not Unicode text at all). */
const LONE_SURROGATE = /\p{Cs}/u;
const badText = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

/**
 * Keys that name an object's prototype machinery (`__proto__`, `constructor`, `toString`,
 * `valueOf`, ... every name on Object.prototype, plus `prototype`). No DTO has such a field, yet
 * class-transformer and class-validator's unknown-field check both skip them, so
 * `{"constructor": []}` and later `{"toString": {}}` slipped past `forbidNonWhitelisted` and the
 * rest of the body was written (both found by the fuzz tier).
 */
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * The first problem in a parsed request value (body, query or path params) that no field of any
 * DTO accepts: nesting deeper than MAX_INPUT_DEPTH, a string or key holding a NUL or a lone
 * surrogate, or a prototype key (`constructor`, `toString`, ...). Names the field (`items.0.sku`, `query parameter q`); undefined when the value is fine. Iterative, so a
 * hostile `[[[[...]]]]` cannot overflow the stack here (it did in class-transformer: a 500).
 */
export function requestInputProblem(
  value: unknown,
  where: 'body' | 'query' | 'path' = 'body',
): string | undefined {
  const prefix = where === 'body' ? '' : `${where} parameter `;
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (pending.length > 0) {
    const { value: current, path, depth } = pending.pop()!;
    const name = path ? `${prefix}${path}` : where;
    if (typeof current === 'string') {
      if (badText(current)) return `${name} must not contain NUL characters or lone surrogates`;
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return `${where} must not nest deeper than ${MAX_INPUT_DEPTH} levels`;
    for (const [key, child] of Object.entries(current)) {
      if (badText(key)) return `${name} must not have a key containing NUL characters or lone surrogates`;
      if (PROTOTYPE_KEYS.has(key)) return `${path ? `${name}.` : prefix}${key} is not an accepted field`;
      pending.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}
