import { z } from 'zod';

// zod → JSON Schema (2020-12, the dialect of OpenAPI 3.1) for the OpenAPI document. Schemas given
// an id with `.meta({ id })` become `#/components/schemas/<id>` and are referred to by $ref.

export type JsonSchema = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

/**
 * What zod adds that says nothing to an API's client: the regex behind a `format` (email, uuid,
 * date-time: the format names the rule), the ±2^53 bounds of every `z.int()`, and `propertyNames`
 * of a string-keyed record.
 */
const override: NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override'] = ({ jsonSchema }) => {
  if (jsonSchema.format) delete jsonSchema.pattern;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  if ((jsonSchema.propertyNames as JsonSchema | undefined)?.type === 'string')
    delete jsonSchema.propertyNames;
};

// Requests and responses alike are described as input (what may be sent): a plain z.object() does
// not forbid other properties, a z.strictObject() does (additionalProperties: false).
const options = { io: 'input', override, unrepresentable: 'throw' } as const;

const toComponentRefs = (schema: JsonSchema): JsonSchema =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', `"${COMPONENTS}`)) as JsonSchema;

/** The schema without the keywords that belong to a standalone JSON Schema file, not to a document. */
const embeddable = (schema: JsonSchema): JsonSchema =>
  Object.fromEntries(Object.entries(schema).filter(([k]) => !['$schema', '$id', '$defs'].includes(k)));

/** One schema, with every schema that has an id replaced by a $ref to its component. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  // Schemas with an id land in $defs, referred to as #/$defs/<id>: point those at the components.
  return toComponentRefs(embeddable(z.toJSONSchema(schema, options)));
}

/** Every schema with an id, by id: the document's `components.schemas`. */
export function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, { ...options, uri: (id) => `${COMPONENTS}${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => [id, embeddable(schema as JsonSchema)]),
  );
}
