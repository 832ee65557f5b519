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
];

export const servicePorts = (spec: ServiceSpec): number[] =>
  Array.from({ length: spec.replicas }, (_, i) => spec.basePort + portOffset() + i);

export const serviceByName = (name: string): ServiceSpec => {
  const spec = services.find((s) => s.name === name);
  if (!spec) throw new Error(`unknown service "${name}"`);
  return spec;
};
