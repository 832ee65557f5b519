import { z } from 'zod';

// Reusable env field parsers. Env values are strings; these turn them into typed values with
// messages that say what a good value looks like.

export const port = (fallback?: number) => {
  const field = z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535');
  return fallback === undefined ? field : field.default(fallback);
};

export const positiveInt = (fallback?: number) => {
  const field = z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .positive('must be > 0');
  return fallback === undefined ? field : field.default(fallback);
};

export const url = (protocols: string[]) =>
  z
    .string({ message: 'is required' })
    .url('must be a URL')
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** A comma-separated list, e.g. "a:1,b:2". */
export const csv = (itemMessage: string, isValid: (item: string) => boolean) =>
  z
    .string({ message: 'is required' })
    .transform((value) =>
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((items) => items.length > 0, { message: 'must list at least one item' })
    .refine((items) => items.every(isValid), { message: itemMessage });

export const hostPort = (item: string): boolean => /^[\w.-]+:\d{1,5}$/.test(item);

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

export const identifier = (fallback: string) =>
  z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
    .default(fallback);

/** A Redis key prefix (letters, digits, "_", ":", "." or "-"), so keys stay plain and scannable. */
export const keyPrefix = (fallback: string) =>
  z
    .string()
    .regex(/^[\w:.-]+$/, 'must be a plain Redis key prefix')
    .default(fallback);
