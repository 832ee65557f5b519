import { portOffset } from './infra';

// Services and their replicas. Each replica gets its own port: basePort + replica index.

export interface ServiceSpec {
  name: string;
  basePort: number;
  replicas: number;
  /** Postgres schema the service owns (one schema per service). */
  schema: string;
}

export const services: readonly ServiceSpec[] = [
  { name: 'gateway', basePort: 3000, replicas: 2, schema: 'gateway' },
  { name: 'catalog', basePort: 3100, replicas: 2, schema: 'catalog' },
  { name: 'inventory', basePort: 3200, replicas: 2, schema: 'inventory' },
  { name: 'orders', basePort: 3300, replicas: 2, schema: 'orders' },
  { name: 'payments', basePort: 3400, replicas: 1, schema: 'payments' },
  { name: 'notifications', basePort: 3500, replicas: 1, schema: 'notifications' },
  { name: 'delivery', basePort: 3600, replicas: 2, schema: 'delivery' },
  { name: 'auctions', basePort: 3700, replicas: 2, schema: 'auctions' },
  // The live architecture page's observer and scenario runner (docs/architecture.md).
  { name: 'control', basePort: 3800, replicas: 1, schema: 'control' },
];

export const servicePorts = (spec: ServiceSpec): number[] =>
  Array.from({ length: spec.replicas }, (_, i) => spec.basePort + portOffset() + i);

export const serviceUrls = (name: string, host = '127.0.0.1'): string[] =>
  servicePorts(serviceByName(name)).map((port) => `http://${host}:${port}`);

export const serviceByName = (name: string): ServiceSpec => {
  const spec = services.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown service "${name}"`);
  return spec;
};

/**
 * The two nginx roles. `edge` is the only public entry point (the CDN emulator, serving the
 * storefront and caching public API reads) and forwards /api to the gateways. `lb` is internal: it
 * spreads requests over every service's replicas, one path prefix per service (`/catalog/...`).
 */
export const proxies = {
  edge: { name: 'edge', port: 8080 },
  lb: { name: 'lb', port: 8081 },
} as const;

export const proxyPort = (name: keyof typeof proxies): number => proxies[name].port + portOffset();

export const edgeUrl = (host = '127.0.0.1'): string => `http://${host}:${proxyPort('edge')}`;

/**
 * The native runner's control channel (`pnpm stack`): loopback only, bearer-secret protected. The
 * control service asks it which replicas run where and to kill or restart one (docs/architecture.md).
 */
export const runnerControl = { name: 'runner-control', port: 8079 } as const;

export const runnerControlUrl = (host = '127.0.0.1'): string =>
  `http://${host}:${runnerControl.port + portOffset()}`;

/** Base URL of a service behind the load balancer, e.g. http://127.0.0.1:8081/inventory. */
export const lbServiceUrl = (service: string, host = '127.0.0.1'): string =>
  `http://${host}:${proxyPort('lb')}/${serviceByName(service).name}`;
