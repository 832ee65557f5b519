import { z } from 'zod';

/** The one shape of every error answer, from the gateway and from every service behind it. */
export const apiError = z
  .object({
    statusCode: z.int(),
    error: z.string(),
    message: z.string(),
    requestId: z.string(),
  })
  .meta({ id: 'Error' });
export type ApiError = z.infer<typeof apiError>;

/** `{ items: [...] }`: the envelope of every list the API returns. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A list with its paging. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), page: z.int(), limit: z.int(), total: z.int() });
