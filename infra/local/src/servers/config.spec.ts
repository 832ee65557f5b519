import { kafka, postgres, redisNodes } from '@sdp/topology';
import { renderEnvFile } from '../env-file';
import { formatStatus } from '../status';
import { asUser } from '../process';
import { javaArgs, kafkaLibsDir, loggingProps, newClusterId, renderServerProperties } from './kafka';
import { initdbArgs, postgresArgs } from './postgres';
import { cachePolicy, renderRedisConf } from './redis';
import { infraPaths } from '../paths';
import { parseProperties } from '../../test/support/properties';

describe('redis config', () => {
  const cache = redisNodes.find((n) => n.role === 'cache')!;
  const lock = redisNodes.find((n) => n.role === 'lock')!;

  it('binds loopback on the topology port with no persistence', () => {
    const conf = renderRedisConf(lock, '/d');
    expect(conf).toContain(`port ${lock.port}\n`);
    expect(conf).toContain('bind 127.0.0.1\n');
    expect(conf).toContain('save ""\n');
    expect(conf).toContain('appendonly no\n');
    expect(conf).toContain('daemonize no\n');
    expect(conf).not.toContain('maxmemory');
  });

  it('caps the cache node at 64mb with LRU eviction', () => {
    const conf = renderRedisConf(cache, '/d');
    expect(conf).toContain('maxmemory 64mb\nmaxmemory-policy allkeys-lru\n');
  });

  it('takes the eviction policy from REDIS_CACHE_POLICY and refuses an unknown one', () => {
    expect(renderRedisConf(cache, '/d', cachePolicy({ REDIS_CACHE_POLICY: 'allkeys-lfu' }))).toContain(
      'maxmemory-policy allkeys-lfu\n',
    );
    expect(cachePolicy({})).toBe('allkeys-lru');
    expect(() => cachePolicy({ REDIS_CACHE_POLICY: 'fifo' })).toThrow(/REDIS_CACHE_POLICY must be one of/);
  });
});

describe('postgres', () => {
  it('initialises with the project superuser and scram over TCP', () => {
    const args = initdbArgs('/data', '/pw');
    expect(args).toEqual(
      expect.arrayContaining(['-U', postgres.user, '--pwfile=/pw', '--auth-host=scram-sha-256']),
    );
  });

  it('listens on loopback and the topology port with its socket in .infra', () => {
    const args = postgresArgs('/data', '/sock').join(' ');
    expect(args).toContain(`-c port=${postgres.port}`);
    expect(args).toContain('-c listen_addresses=127.0.0.1');
    expect(args).toContain('-c unix_socket_directories=/sock');
    expect(args).toContain('-c max_connections=200');
  });

  it('wraps commands in setpriv only when a user is given', () => {
    expect(asUser('postgres', ['-D', 'x'], undefined)).toEqual(['postgres', ['-D', 'x']]);
    expect(asUser('postgres', ['-D', 'x'], { uid: 65534, gid: 65534 })).toEqual([
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'postgres', '-D', 'x'],
    ]);
  });
});

describe('kafka', () => {
  it('renders a single combined KRaft node on the topology ports', () => {
    const props = parseProperties(renderServerProperties('/data'));
    expect(props['process.roles']).toBe('broker,controller');
    expect(props['controller.quorum.voters']).toBe(`1@127.0.0.1:${kafka.controllerPort}`);
    expect(props.listeners).toBe(
      `PLAINTEXT://127.0.0.1:${kafka.brokerPort},CONTROLLER://127.0.0.1:${kafka.controllerPort}`,
    );
    expect(props['auto.create.topics.enable']).toBe('false');
    expect(props['offsets.topic.replication.factor']).toBe('1');
    expect(props['group.initial.rebalance.delay.ms']).toBe('0');
    expect(props['num.partitions']).toBe(String(kafka.defaultPartitions));
    expect(props['log.dirs']).toBe('/data');
  });

  it('makes 22-character URL-safe cluster ids that do not start with a dash', () => {
    let call = 0;
    const bytes = () => Buffer.alloc(16, call++ === 0 ? 0xf8 : 0x01); // 0xf8.. encodes to "-..."
    const id = newClusterId(bytes);
    expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(call).toBe(2);
  });

  it('takes jars from KAFKA_HOME when set, else the Maven cache', () => {
    const paths = infraPaths('/repo');
    expect(kafkaLibsDir(paths, {})).toBe(`/repo/.infra/cache/kafka-${kafka.version}/libs`);
    expect(kafkaLibsDir(paths, { KAFKA_HOME: '/opt/kafka' })).toBe('/opt/kafka/libs');
    expect(loggingProps('/cfg', '/logs', {})).toEqual(['-Dlog4j2.configurationFile=/cfg']);
    expect(javaArgs('/libs', [], 'kafka.Kafka', ['x.properties']).slice(-4)).toEqual([
      '-cp',
      '/libs/*',
      'kafka.Kafka',
      'x.properties',
    ]);
  });
});

describe('env file and status', () => {
  it('writes KEY=VALUE lines', () => {
    expect(renderEnvFile({ A: '1', B: 'x=y' })).toBe('A=1\nB=x=y\n');
    expect(renderEnvFile()).toContain(`DATABASE_URL=postgres://`);
  });

  it('prints a table of servers', () => {
    const table = formatStatus([
      { name: 'postgres', port: 55432, pid: 10, running: true, portOpen: true },
      { name: 'kafka', port: 59092, pid: undefined, running: false, portOpen: false },
    ]);
    expect(table.split('\n')).toEqual([
      'SERVER    PORT   PID  STATE',
      'postgres  55432  10   up',
      'kafka     59092  -    down',
    ]);
  });
});
