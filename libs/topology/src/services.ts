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
  { name: 'catalog', basePort: 3100, replicas: 2, schema: 'catalog' },
  { name: 'inventory', basePort: 3200, replicas: 2, schema: 'inventory' },
  { name: 'orders', basePort: 3300, replicas: 2, schema: 'orders' },
  { name: 'payments', basePort: 3400, replicas: 1, schema: 'payments' },
  { name: 'notifications', basePort: 3500, replicas: 1, schema: 'notifications' },
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
