// The one event envelope every Kafka message in the project carries, and its runtime validation.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  /** Business key (e.g. order id): also the Kafka message key, so one key stays on one partition, in order. */
  key: z.string().min(1),
  data: z.unknown(),
  /** The request id of the HTTP call that started this chain of events, for tracing. */
  requestId: z.string().min(1).optional(),
});

export type EventEnvelope<TData = unknown, TType extends string = string> = Omit<
  z.infer<typeof eventEnvelopeSchema>,
  'data' | 'type'
> & { type: TType; data: TData };

export type ParseResult<T> = { ok: true; envelope: T } | { ok: false; reason: string };

export function createEnvelope<TData, TType extends string = string>(
  type: TType,
  key: string,
  data: TData,
  requestId?: string,
): EventEnvelope<TData, TType> {
  const envelope: EventEnvelope<TData, TType> = {
    id: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    key,
    data,
  };
  if (requestId !== undefined) envelope.requestId = requestId;
  return envelope;
}

/** One line per zod issue, `path: message`, so a DLQ reason header is readable. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');

function decodeJson(
  input: Buffer | string | null | undefined,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (input === null || input === undefined) return { ok: false, reason: 'empty message value' };
  const text = typeof input === 'string' ? input : input.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
}

/** Validates an incoming message value (raw bytes or text) as an envelope; never throws. */
export function parseEnvelope(input: Buffer | string | null | undefined): ParseResult<EventEnvelope> {
  const json = decodeJson(input);
  if (!json.ok) return json;
  const parsed = eventEnvelopeSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: `invalid envelope: ${describeIssues(parsed.error)}` };
  return { ok: true, envelope: parsed.data };
}

export interface EventDefinition<TType extends string, TData> {
  type: TType;
  create(key: string, data: TData, requestId?: string): EventEnvelope<TData, TType>;
  /** Checks that an already parsed envelope is this event (type matches) and that `data` fits its schema. */
  parse(envelope: EventEnvelope): ParseResult<EventEnvelope<TData, TType>>;
}

/** A typed event: `const ProductUpdated = defineEvent('product.updated', z.object({ sku: z.string() }))`. */
export function defineEvent<TType extends string, TSchema extends z.ZodType>(
  type: TType,
  dataSchema: TSchema,
): EventDefinition<TType, z.infer<TSchema>> {
  return {
    type,
    create: (key, data, requestId) => createEnvelope(type, key, dataSchema.parse(data), requestId),
    parse(envelope) {
      if (envelope.type !== type)
        return { ok: false, reason: `expected event type "${type}", got "${envelope.type}"` };
      const data = dataSchema.safeParse(envelope.data);
      if (!data.success)
        return { ok: false, reason: `invalid data for "${type}": ${describeIssues(data.error)}` };
      return { ok: true, envelope: { ...envelope, type, data: data.data } };
    },
  };
}
