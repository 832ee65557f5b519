import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cart, product } from '@sdp/contracts';
import { routeTable } from '../routes/route-table';
import { openApiDocument, toOpenApiPath } from './openapi.document';
import { openApiJson } from './write-openapi';

interface Operation {
  security?: unknown;
  tags: string[];
  'x-auth': string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
const paths = openApiDocument.paths as Record<string, Record<string, Operation>>;
const gatewayOwn = ['POST /api/auth/register', 'POST /api/auth/login', 'GET /api/openapi.json'];
const operationOf = (route: { method: string; path: string }) =>
  paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];

describe('OpenAPI document', () => {
  it('documents every route-table entry', () => {
    const missing = routeTable.filter((r) => !operationOf(r)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('documents nothing the gateway does not serve', () => {
    const served = new Set([...routeTable.map((r) => `${r.method} ${toOpenApiPath(r.path)}`), ...gatewayOwn]);
    const operations = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((op) => !served.has(op))).toEqual([]);
    expect(operations).toHaveLength(routeTable.length + gatewayOwn.length);
  });

  it('marks exactly the signed-in routes as needing the bearer token', () => {
    for (const route of routeTable) {
      const operation = operationOf(route);
      expect([route.path, Boolean(operation.security)]).toEqual([route.path, route.auth !== 'public']);
    }
  });

  it("states each route's role, answers 401 when signed-in and 403 when admin-only, and tags admin routes", () => {
    for (const route of routeTable) {
      const { responses, tags, 'x-auth': auth } = operationOf(route);
      const statuses = Object.keys(responses);
      expect([route.path, auth]).toEqual([route.path, route.auth]);
      expect([route.path, statuses.includes('401')]).toEqual([route.path, route.auth !== 'public']);
      expect([route.path, statuses.includes('403')]).toEqual([route.path, route.auth === 'admin']);
      expect([route.path, tags.includes('admin')]).toEqual([route.path, route.auth === 'admin']);
    }
  });

  it('gives every proxied route its rate-limit and upstream answers', () => {
    for (const route of routeTable) {
      expect([route.path, Object.keys(operationOf(route).responses)]).toEqual([
        route.path,
        expect.arrayContaining(['429', '502', '503', '504']),
      ]);
    }
  });

  it('takes its shapes from @sdp/contracts, and every $ref names a component', () => {
    const { schemas } = openApiDocument.components;
    expect(schemas.Product.required).toEqual(Object.keys(product.shape).filter((k) => k !== 'available'));
    expect(Object.keys(schemas.Cart.properties as object)).toEqual(Object.keys(cart.shape));
    const refs = [...JSON.stringify(openApiDocument).matchAll(/"\$ref":"([^"]+)"/g)].map(([, ref]) => ref);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => !(ref.replace('#/components/schemas/', '') in schemas))).toEqual([]);
    expect(JSON.stringify(openApiDocument)).not.toMatch(/\$defs|\$schema/);
  });

  it('is OpenAPI 3.1', () => {
    expect(openApiDocument.openapi).toBe('3.1.0');
  });

  it("is the storefront's copy, from which its types are generated (else: pnpm --filter @sdp/web generate:api)", () => {
    const copy = readFileSync(join(__dirname, '../../../web/src/generated/openapi.json'), 'utf8');
    expect(copy === openApiJson()).toBe(true);
  });
});
