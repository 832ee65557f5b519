import type { FastifyRequest } from 'fastify';
import type { RouteSpec } from '../routes/route-table';

// What the proxy learned about a request, for the response hooks in GatewayHooks: which route-table
// entry served it (the metrics label) and which service replica answered (x-instance-id).
const routes = new WeakMap<FastifyRequest, RouteSpec>();

export const markProxied = (request: FastifyRequest, route: RouteSpec): void =>
  void routes.set(request, route);

export const proxiedRoute = (request: FastifyRequest): RouteSpec | undefined => routes.get(request);

export const routeLabel = (route: RouteSpec): string => `${route.method} ${route.path}`;

const instances = new WeakMap<FastifyRequest, string>();

export const setUpstreamInstance = (request: FastifyRequest, instance: string): void =>
  void instances.set(request, instance);

export const upstreamInstance = (request: FastifyRequest): string | undefined => instances.get(request);
