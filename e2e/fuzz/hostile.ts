import fc from 'fast-check';

// Generators of hostile requests, driven by the OpenAPI document the gateway serves. Two kinds of
// value: `invalid` ones no field of that schema may accept (so a write carrying one must be refused
// with a 4xx and change nothing), and `odd` ones that are merely strange (unicode oddities, valid
// types) and only ever travel beside an invalid one.

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  $ref?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: JsonSchema;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path, e.g. `/api/products/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The JSON request body's schema, $refs resolved. */
  body?: JsonSchema;
  secured: boolean;
}

export interface HostileRequest {
  /** Path with every `{param}` filled (already percent-encoded or deliberately raw). */
  path: string;
  /** Raw query string, without `?` (deliberately not always valid percent-encoding). */
  query: string;
  headers: Record<string, string>;
  body?: string;
  /** Why this request must be refused (a write with this part is a 4xx), if it must be. */
  mustFail?: string;
}

/** A JSON value nested `depth` arrays deep, as text (JSON.stringify would recurse that deep). */
export const deepJson = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

// A marker replaced by raw JSON text after stringifying (deep nesting, `__proto__` keys).
const RAW = '\u0001raw:';
const raw = (json: string): string => `${RAW}${json}`;
const toJson = (value: unknown): string =>
  (JSON.stringify(value) ?? 'null').replace(
    /"\\u0001raw:((?:[^"\\]|\\.)*)"/g,
    (_, text: string) => JSON.parse(`"${text}"`) as string,
  );

/** Strings a user might type that are nonetheless odd: direction marks, zero-width, combining, astral. */
const oddText = fc.constantFrom(
  '',
  ' ',
  '\u202eevil',
  'zero\u200bwidth',
  '\ufeffbom',
  'e\u0301\u0301\u0301',
  '𝕏𝕐',
  '👩‍👩‍👧‍👦',
  'ＦＵＬＬ',
  'line\u2028sep',
  'İı',
  "'; DROP TABLE products; --",
  '../../etc/passwd',
  '%00',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
);

/** Strings no string field accepts: NUL, lone surrogates, longer than any field's maximum (2000). */
const invalidText = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy'),
  fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`),
  fc.integer({ min: 2_001, max: 150_000 }).map((n) => 'x'.repeat(n)),
);

/** Wrong for any field: null, nesting past the limit, and NUL or lone surrogates inside strings. */
const invalidAnywhere = fc.oneof(
  fc.constant(null),
  invalidText,
  fc.integer({ min: 17, max: 60_000 }).map((depth) => raw(deepJson(depth))),
);

export function plausible(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (typeOf(schema)) {
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 1, max: schema.maximum ?? 1_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(plausible(schema.items ?? {}), { minLength: 1, maxLength: 3 });
    case 'object':
      return fc.record(
        Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, plausible(s)])),
      );
    default:
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'uuid') return fc.uuid();
      return fc.string({ minLength: Math.max(1, schema.minLength ?? 1), maxLength: 20 });
  }
}

/** A value the field described by `schema` must refuse, whatever the rest of the request says. */
export function invalid(schema: JsonSchema): fc.Arbitrary<unknown> {
  const typed: fc.Arbitrary<unknown>[] = [];
  switch (typeOf(schema)) {
    case 'integer':
    case 'number': {
      typed.push(
        fc.constantFrom('1', '0x10', 'NaN', true, {}, [], [1]),
        fc.string({ maxLength: 10 }),
        fc.constant(raw('1e400')), // Infinity once parsed
      );
      if (typeOf(schema) === 'integer') typed.push(fc.double({ noInteger: true, noNaN: true }));
      if (schema.minimum !== undefined) typed.push(fc.integer({ max: schema.minimum - 1 }));
      if (schema.maximum !== undefined) typed.push(fc.double({ min: schema.maximum + 1, noNaN: true }));
      break;
    }
    case 'array': {
      const item = schema.items ?? {};
      typed.push(
        fc.constantFrom('x', 1, true, {}),
        fc.constant([]),
        // more lines than any list the API takes (MAX_LINES is 50)
        fc
          .integer({ min: 51, max: 200 })
          .chain((n) => fc.array(plausible(item), { minLength: n, maxLength: n })),
        fc.tuple(fc.array(plausible(item), { maxLength: 2 }), invalid(item)).map(([ok, bad]) => [...ok, bad]),
      );
      break;
    }
    case 'object':
      typed.push(fc.constantFrom('x', 1, true, []), invalidObject(schema));
      break;
    default: {
      typed.push(fc.constantFrom(1, 0, true, {}, [], ['x'], { $ne: '' }));
      if (schema.enum) {
        const allowed = schema.enum;
        typed.push(fc.oneof(oddText, fc.string()).filter((s) => !allowed.includes(s)));
      }
      if (schema.pattern) {
        const pattern = new RegExp(schema.pattern);
        typed.push(fc.oneof(oddText, fc.string()).filter((s) => !pattern.test(s)));
      }
    }
  }
  return fc.oneof(invalidAnywhere, ...typed);
}

/** An object body the schema refuses: one field invalid (others plausible, odd or absent), or an unknown field. */
function invalidObject(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const others = (skip?: string) =>
    fc.record(
      Object.fromEntries(
        properties
          .filter(([name]) => name !== skip)
          .map(([name, s]) => [name, fc.oneof(plausible(s), oddText)]),
      ),
      { requiredKeys: [] },
    );
  const unknownField = fc
    .tuple(
      others(),
      fc.oneof(fc.constantFrom('__proto__', 'constructor', 'role', 'id'), fc.string({ minLength: 1 })),
      fc.jsonValue(), // not fc.anything(): an undefined value would vanish from the JSON
    )
    .filter(([, key]) => !Object.hasOwn(schema.properties ?? {}, key))
    .map(([rest, key, value]) =>
      key === '__proto__' ? raw(`{"__proto__":${toJson(value)}}`) : { ...rest, [key]: value },
    );
  if (properties.length === 0) return unknownField;
  const oneBad = fc
    .constantFrom(...properties)
    .chain(([name, s]) => fc.tuple(others(name), fc.constant(name), invalid(s)))
    .map(([rest, name, bad]) => ({ ...rest, [name]: bad }));
  return fc.oneof({ arbitrary: oneBad, weight: 4 }, { arbitrary: unknownField, weight: 1 });
}

/** Whole bodies no JSON endpoint accepts: not JSON, the wrong JSON, too deep, too big, wrong type. */
const invalidRawBody: fc.Arbitrary<{ body: string; contentType: string; why: string }> = fc.oneof(
  fc
    .oneof(fc.constantFrom('{"a":', '{"a":1}x', "{'a':1}", '{a:1}', '[1,]', '\u0000', ''), fc.string())
    .filter((text) => !isJson(text) || text === '')
    .map((body) => ({ body, contentType: 'application/json', why: 'not JSON' })),
  fc
    .constantFrom('null', '[]', '"x"', '1', 'true', '{"__proto__":{"role":"admin"}}')
    .map((body) => ({ body, contentType: 'application/json', why: 'not an object' })),
  fc
    .integer({ min: 17, max: 100_000 })
    .map((depth) => ({ body: deepJson(depth), contentType: 'application/json', why: 'nested too deep' })),
  // Over the API's 256 KiB body limit (the edge's 413), and over the edge's 1 MB for everything.
  fc.constantFrom(300 * 1024, 1200 * 1024).map((size) => ({
    body: `{"name":"${'x'.repeat(size)}"}`,
    contentType: 'application/json',
    why: 'too large',
  })),
  fc
    .constantFrom('text/xml', 'application/octet-stream', 'multipart/form-data; boundary=x')
    .map((contentType) => ({ body: '<a>1</a>', contentType, why: `content-type ${contentType}` })),
);

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A path segment: plausible, a bad id, raw or broken percent-encoding, too long. */
function pathSegment(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: plausible(schema).map((v) => encodeURIComponent(String(v))), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '1.5',
        '1e3',
        '99999999999999999999',
        'NaN',
        '%201',
        '%00',
        'SKU%00',
        '%2e%2e',
        '%2F',
        '%ZZ',
        '%',
        '%ED%A0%80',
        '%C0%AF',
        'sku-000001',
        '__proto__',
      ),
      weight: 3,
    },
    { arbitrary: fc.string({ minLength: 1 }).map(encodeURIComponent), weight: 2 },
    { arbitrary: oddText.filter((s) => s.length > 0).map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.integer({ min: 129, max: 6_000 }).map((n) => 'A'.repeat(n)), weight: 1 },
  );
}

/** One query value as it appears in the URL (raw on purpose: broken escapes, NUL, huge). */
function queryValue(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: plausible(schema).map((v) => encodeURIComponent(String(v))), weight: 3 },
    { arbitrary: oddText.map(encodeURIComponent), weight: 2 },
    { arbitrary: fc.string().map(encodeURIComponent), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        '%00',
        'a%00b',
        '%ED%A0%80',
        '%FF',
        '%',
        '%zz',
        '-1',
        '0',
        '1e400',
        '1.5',
        'NaN',
        '',
      ),
      weight: 3,
    },
    // past the edge's 8 KB request line now and then (nginx: 414)
    { arbitrary: fc.integer({ min: 65, max: 12_000 }).map((n) => 'q'.repeat(n)), weight: 1 },
  );
}

function queryString(parameters: Parameter[]): fc.Arbitrary<string> {
  const declared = parameters
    .filter((p) => p.in === 'query')
    .map((p) =>
      fc.option(
        fc.oneof(
          { depthSize: 'small' },
          queryValue(p.schema).map((v) => `${p.name}=${v}`),
          // repeated or bracketed: an array or an object where a scalar belongs
          fc
            .tuple(queryValue(p.schema), queryValue(p.schema))
            .map(([a, b]) => `${p.name}=${a}&${p.name}=${b}`),
          queryValue(p.schema).map((v) => `${p.name}[]=${v}`),
          queryValue(p.schema).map((v) => `${p.name}[x]=${v}`),
        ),
        { nil: undefined },
      ),
    );
  const extra = fc.option(
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom('__proto__', 'constructor[prototype]', '%00'),
          fc.string({ minLength: 1 }).map(encodeURIComponent),
        ),
        queryValue({}),
      )
      .map(([name, value]) => `${name}=${value}`),
    { nil: undefined },
  );
  return fc
    .tuple(fc.tuple(...declared), extra)
    .map(([values, more]) => [...values, more].filter((v): v is string => v !== undefined).join('&'));
}

function headerValues(parameters: Parameter[]): fc.Arbitrary<Record<string, string>> {
  const headers = parameters.filter((p) => p.in === 'header');
  return fc.record<Record<string, string>>(
    Object.fromEntries(
      headers.map((p) => [
        p.name.toLowerCase(),
        fc.oneof(
          fc.uuid(),
          fc.constantFrom('', ' ', 'a b', '%00', '\t'),
          fc.string({ unit: 'grapheme-ascii' }),
          fc.integer({ min: 200, max: 6_000 }).map((n) => 'k'.repeat(n)),
        ),
      ]),
    ),
    { requiredKeys: [] },
  );
}

/**
 * Hostile requests for one operation. An operation with a JSON body always gets an invalid body
 * (so it must be refused: a 4xx that writes nothing); one without gets hostile path, query and
 * headers, and now and then a body it does not expect.
 */
export function hostileRequests(op: Operation): fc.Arbitrary<HostileRequest> {
  const params = op.parameters.filter((p) => p.in === 'path');
  const path = fc
    .tuple(...params.map((p) => pathSegment(p.schema)))
    .map((segments) => params.reduce((acc, p, i) => acc.replace(`{${p.name}}`, segments[i]), op.path));
  const body: fc.Arbitrary<{ body?: string; contentType?: string; why?: string }> = op.body
    ? fc.oneof(
        {
          arbitrary: invalidObject(op.body).map((v) => ({
            body: toJson(v),
            contentType: 'application/json',
            why: 'an invalid field',
          })),
          weight: 6,
        },
        { arbitrary: invalidRawBody, weight: 2 },
      )
    : op.method === 'GET'
      ? fc.constant({}) // fetch cannot send a GET body
      : fc.oneof(
          { arbitrary: fc.constant({}), weight: 3 },
          {
            arbitrary: fc.jsonValue().map((v) => ({ body: toJson(v), contentType: 'application/json' })),
            weight: 1,
          },
          { arbitrary: invalidRawBody.map(({ body, contentType }) => ({ body, contentType })), weight: 1 },
        );
  return fc
    .tuple(path, queryString(op.parameters), headerValues(op.parameters), body)
    .map(([p, query, headers, b]) => ({
      path: p,
      query,
      headers: b.contentType ? { ...headers, 'content-type': b.contentType } : headers,
      body: b.body,
      mustFail: b.why,
    }));
}

const typeOf = (schema: JsonSchema): string | undefined =>
  Array.isArray(schema.type) ? schema.type[0] : (schema.type ?? (schema.properties ? 'object' : undefined));
