import { routeTable } from '../routes/route-table';
import { openApiDocument, toOpenApiPath } from './openapi.document';

const paths = openApiDocument.paths as Record<string, Record<string, { security?: unknown }>>;
const gatewayOwn = ['POST /api/auth/register', 'POST /api/auth/login', 'GET /api/openapi.json'];

describe('OpenAPI document', () => {
  it('documents every route-table entry', () => {
    const missing = routeTable
      .filter((r) => !paths[toOpenApiPath(r.path)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('documents nothing the gateway does not serve', () => {
    const served = new Set([...routeTable.map((r) => `${r.method} ${toOpenApiPath(r.path)}`), ...gatewayOwn]);
    const operations = Object.entries(paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.filter((op) => !served.has(op))).toEqual([]);
  });

  it('marks exactly the signed-in routes as needing the bearer token', () => {
    for (const route of routeTable) {
      const operation = paths[toOpenApiPath(route.path)][route.method.toLowerCase()];
      expect([route.path, Boolean(operation.security)]).toEqual([route.path, route.auth !== 'public']);
    }
  });

  it('is OpenAPI 3.1', () => {
    expect(openApiDocument.openapi).toBe('3.1.0');
  });
});
