import { randomUUID } from 'node:crypto';
import { connectPostgres, waitFor } from '@sdp/testing';
import fc from 'fast-check';
import type { Client } from 'pg';
import { bearer, login } from '../test/support/edge-client';
import { startTestStack, TEST_DEMO_PASSWORD, type TestStack } from '../test/support/stack';
import {
  hostileRequests,
  type HostileRequest,
  type JsonSchema,
  type Operation,
  type Parameter,
} from './hostile';

// The hostile-input tier: every operation of the OpenAPI document the gateway serves, driven
// through the edge of a private full stack with generated hostile requests (fast-check). Asserts
// that nothing answers 5xx, that a write carrying an invalid value is refused with a 4xx, and that
// nothing changed: every table of every service schema and the fuzz user's Redis state are the
// same before and after. FUZZ_SEED replays a run; FUZZ_RUNS sets the requests per operation.

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const numRuns = Number(process.env.FUZZ_RUNS ?? 60);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/**
 * Tables compared through a view: a product read that succeeds counts a view (catalog's write-back
 * counters), the one write a GET makes by design; units sold must still not move.
 */
const VIEWS: Record<string, string> = {
  product_stats: 'SELECT product_id, sold FROM "$schema".product_stats WHERE sold <> 0',
};

/** Tokens that must not get anyone in: garbage, an unsigned `alg: none` admin token, oversized. */
const badTokens: fc.Arbitrary<string> = fc.constantFrom(
  'Bearer x',
  'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.',
  'Basic YWRtaW46YWRtaW4=',
  `Bearer ${'a'.repeat(9_000)}`,
  'Bearer %00',
);

interface Tally {
  sent: number;
  statuses: Record<number, number>;
}

describe(`hostile input through the edge (seed ${seed}, ${numRuns} runs per operation)`, () => {
  let stack: TestStack;
  let db: Client;
  let edge: string;
  let admin: string;
  let customer: string;
  let operations: Operation[] = [];
  const tallies = new Map<string, Tally>();
  let before: Record<string, string>;

  beforeAll(async () => {
    console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed}), ${numRuns} runs per operation`);
    stack = await startTestStack(
      {
        // The requests must reach the services: no rate limit in the way (a 429 would be a 4xx,
        // but it would also mean the hostile value was never looked at).
        gateway: {
          RATE_LIMIT_PER_MINUTE: '10000000',
          CHECKOUT_RATE_LIMIT_PER_MINUTE: '10000000',
          AUTH_RATE_LIMIT_PER_MINUTE: '10000000',
        },
        payments: { PSP_FAILURE_RATE: '0' },
      },
      { proxies: true },
    );
    edge = stack.edge!.url;
    db = await connectPostgres();
    const email = `fuzz-${randomUUID()}@example.com`;
    const registered = await fetch(`${edge}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: TEST_DEMO_PASSWORD, name: 'Fuzz' }),
    });
    expect(registered.status).toBe(201);
    [admin, customer] = await Promise.all([login(edge, 'admin@example.com'), login(edge, email)]);
    operations = operationsOf((await (await fetch(`${edge}/api/openapi.json`)).json()) as OpenApiDocument);
    before = await settledState();
  }, 300_000); // a full stack on a busy 2-core machine, then the state settling

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  it('finds every operation of the OpenAPI document', () => {
    expect(operations.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'PUT /api/admin/products/{id}', 'POST /api/checkout']),
    );
    expect(operations.length).toBeGreaterThanOrEqual(24);
  });

  // The operations come from the document the running stack serves (read in beforeAll), so one
  // test walks them all; a failing operation is reported and the walk goes on.
  it('answers every operation 4xx or 2xx, never 5xx, and refuses every invalid write', async () => {
    const failures: string[] = [];
    for (const [index, op] of operations.entries()) {
      const name = `${op.method} ${op.path}`;
      const tally: Tally = { sent: 0, statuses: {} };
      tallies.set(name, tally);
      const property = fc.asyncProperty(
        hostileRequests(op),
        // Now and then a bad token instead of the right one (a secured route must then say 401).
        fc.oneof({ arbitrary: fc.constant(undefined), weight: 7 }, { arbitrary: badTokens, weight: 1 }),
        async (request, badToken) => {
          const token =
            badToken ??
            (op.secured ? `Bearer ${op.path.startsWith('/api/admin') ? admin : customer}` : undefined);
          const status = await send(op, request, token);
          tally.sent++;
          tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
          const mustFail = request.mustFail ?? (badToken && op.secured ? 'a bad token' : undefined);
          if (status >= 500) throw new Error(`answered ${status}`);
          if (mustFail && (status < 400 || status >= 500))
            throw new Error(`answered ${status} to a request with ${mustFail}`);
        },
      );
      const result = await fc.check(property, { seed: seed + index, numRuns });
      if (result.failed) failures.push(`${name}: ${describeFailure(result)}`);
    }
    printTallies();
    expect(failures).toEqual([]);
  }, 1_800_000);

  it('changed nothing: every table of every service, and the fuzz user’s cart and views', async () => {
    expect(Object.keys(before).length).toBeGreaterThan(10);
    expect(await settledState()).toEqual(before);
  });

  async function send(op: Operation, request: HostileRequest, token: string | undefined): Promise<number> {
    const url = `${edge}${request.path}${request.query ? `?${request.query}` : ''}`;
    const response = await fetch(url, {
      method: op.method,
      headers: { ...request.headers, ...(token ? { authorization: token } : {}) },
      body: request.body,
      signal: AbortSignal.timeout(20_000),
    });
    // An SSE stream stays open: its status is all we need.
    if (op.path.endsWith('/stream')) await response.body?.cancel();
    else await response.arrayBuffer();
    return response.status;
  }

  /** Every table's row count and content digest, plus per-user Redis state read through the API. */
  async function state(): Promise<Record<string, string>> {
    const snapshot: Record<string, string> = {};
    const { rows: tables } = await db.query<{ schema: string; table: string }>(
      `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
       WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
      [Object.values(stack.schemas)],
    );
    for (const { schema, table } of tables) {
      const rowsOf = VIEWS[table] ?? `SELECT * FROM "${schema}"."${table}"`;
      const { rows } = await db.query<{ n: number; digest: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest
         FROM (${rowsOf.replace('$schema', schema)}) t`,
      );
      snapshot[`${schema.replace(/^.*_/, '')}.${table}`] = `${rows[0].n} rows, md5 ${rows[0].digest}`;
    }
    for (const [key, path, token] of [
      ['cart', '/api/cart', customer],
      ['recently viewed', '/api/me/recently-viewed', customer],
      ['psp settings', '/api/admin/psp', admin],
      ['best-sellers', '/api/products/top?n=50', undefined],
    ] as const) {
      const response = await fetch(`${edge}${path}`, { headers: token ? bearer(token) : {} });
      snapshot[key] = `${response.status} ${await response.text()}`;
    }
    return snapshot;
  }

  /** The state once background work (relays, consumers) has settled: two reads a second apart agree. */
  async function settledState(): Promise<Record<string, string>> {
    let last = await state();
    return waitFor(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const next = await state();
        const same = JSON.stringify(next) === JSON.stringify(last);
        last = next;
        return same ? next : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 0, what: 'the stack state to settle' },
    );
  }

  function printTallies(): void {
    const rows = [...tallies].map(([name, { sent, statuses }]) => {
      const count = (from: number) =>
        Object.entries(statuses)
          .filter(([s]) => Number(s) >= from && Number(s) < from + 100)
          .reduce((sum, [, n]) => sum + n, 0);
      const codes = Object.entries(statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
      return `${name.padEnd(40)} ${String(sent).padStart(5)} sent  2xx ${String(count(200)).padStart(4)}  4xx ${String(count(400)).padStart(4)}  5xx ${count(500)}   ${codes}`;
    });
    const total = [...tallies.values()].reduce((sum, t) => sum + t.sent, 0);
    console.log(
      `hostile requests per operation (seed ${seed}):\n${rows.join('\n')}\ntotal ${total} requests`,
    );
  }
});

/** The operations of an OpenAPI 3.1 document, with $refs in request bodies resolved. */
interface OpenApiDocument {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], RawOperation>>>;
  components: { schemas: Record<string, JsonSchema> };
}

function operationsOf(document: OpenApiDocument): Operation[] {
  const resolve = (schema: JsonSchema): JsonSchema => {
    const target = schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()!] : schema;
    return {
      ...target,
      ...(target.properties
        ? {
            properties: Object.fromEntries(
              Object.entries(target.properties).map(([k, s]) => [k, resolve(s)]),
            ),
          }
        : {}),
      ...(target.items ? { items: resolve(target.items) } : {}),
    };
  };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => {
      const op = item[m]!;
      const body = op.requestBody?.content['application/json']?.schema;
      return {
        method: m.toUpperCase() as Operation['method'],
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
        body: body && resolve(body),
        secured: (op.security ?? []).length > 0,
      };
    }),
  );
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

function describeFailure(result: fc.RunDetails<[HostileRequest, string | undefined]>): string {
  const [request, token] = result.counterexample ?? [];
  const clip = (text: string | undefined) =>
    text === undefined ? '' : text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  return [
    String((result.errorInstance as Error | undefined)?.message ?? result.errorInstance),
    `path ${clip(request?.path)} query ${clip(request?.query)}`,
    `headers ${clip(JSON.stringify(request?.headers))} token ${clip(token)}`,
    `body ${clip(JSON.stringify(request?.body))}`,
    `(seed ${result.seed}, path ${result.counterexamplePath})`,
  ].join('\n    ');
}
