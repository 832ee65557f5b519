import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { boolean, csv, hostPort, port, url } from './fields';

const schema = z.object({
  PORT: port(3000),
  DATABASE_URL: url(['postgres', 'postgresql']),
  KAFKA_BROKERS: csv('each broker must be host:port', hostPort),
  CACHE_ENABLED: boolean(true),
});

describe(loadConfig.name, () => {
  it('parses and types a valid environment, applying defaults', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgres://u:p@localhost:5432/db',
      KAFKA_BROKERS: 'a:1, b:2',
    });
    expect(config).toEqual({
      PORT: 3000,
      DATABASE_URL: 'postgres://u:p@localhost:5432/db',
      KAFKA_BROKERS: ['a:1', 'b:2'],
      CACHE_ENABLED: true,
    });
  });

  it('names every bad variable at once, with the value it got', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty', KAFKA_BROKERS: 'nope', CACHE_ENABLED: 'yes' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT: must be a number \(got "eighty"\)/);
    expect(problems).toMatch(/DATABASE_URL: .* \(not set\)/);
    expect(problems).toMatch(/KAFKA_BROKERS: each broker must be host:port/);
    expect(problems).toMatch(/CACHE_ENABLED: must be true or false/);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('rejects a URL with the wrong protocol', () => {
    expect(() => loadConfig(schema, { DATABASE_URL: 'mysql://x/y', KAFKA_BROKERS: 'a:1' })).toThrow(
      /DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//,
    );
  });
});
