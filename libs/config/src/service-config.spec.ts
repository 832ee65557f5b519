import { z } from 'zod';
import { loadConfig } from './load-config';
import { serviceConfigShape } from './service-config';

describe(serviceConfigShape.name, () => {
  const schema = z.object(serviceConfigShape('demo', 3900));
  const env = { DATABASE_URL: 'postgres://u:p@db:5432/sdp', KAFKA_BROKERS: 'kafka:9092' };

  it('migrates at boot unless DB_MIGRATE=false (compose replicas leave it to a migrate job)', () => {
    expect(loadConfig(schema, env).DB_MIGRATE).toBe(true);
    expect(loadConfig(schema, { ...env, DB_MIGRATE: 'false' }).DB_MIGRATE).toBe(false);
    expect(() => loadConfig(schema, { ...env, DB_MIGRATE: 'no' })).toThrow(/DB_MIGRATE/);
  });
});
