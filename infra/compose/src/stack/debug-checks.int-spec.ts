import { testInfraEnv } from '@sdp/testing';
import { portOffset } from '@sdp/topology';
import { debugPorts, portTaken, probe, type DebugPort } from './debug-checks';

// The debug profile's probes against the native infrastructure of `pnpm infra:up`, which listens on
// the ports the profile publishes (shifted by SDP_PORT_OFFSET, if set): each probe must recognise
// its own server and refuse another.
const env = testInfraEnv();
const portOf = (url: string) => Number(new URL(url.includes('://') ? url : `tcp://${url}`).port);
const nativePort: Record<string, number> = {
  postgres: portOf(env.DATABASE_URL),
  'redis-cache': portOf(env.REDIS_CACHE_URL),
  ...Object.fromEntries(env.REDIS_LOCK_URLS.split(',').map((url, i) => [`redis-lock-${i + 1}`, portOf(url)])),
  kafka: portOf(env.KAFKA_BROKERS.split(',')[0]),
};
const native = (name: string): DebugPort => {
  const port = debugPorts.find((p) => p.name === name)!;
  return { ...port, port: nativePort[name] };
};

describe('debug profile probes, on the native stack’s servers', () => {
  it('the profile publishes the native stack’s ports (those of a run without SDP_PORT_OFFSET)', () => {
    expect(Object.fromEntries(debugPorts.map((p) => [p.name, p.port + portOffset()]))).toEqual(nativePort);
  });

  it.each(debugPorts.map((p) => p.name))('%s answers its protocol’s first message', async (name) => {
    await expect(probe(native(name))).resolves.toBeUndefined();
  });

  it('a Redis probe sent to Postgres fails, naming the probe and the port', async () => {
    const postgres = native('postgres').port;
    await expect(probe({ ...native('redis-cache'), port: postgres }, 2_000)).rejects.toThrow(
      `redis-cache on 127.0.0.1:${postgres}`,
    );
  });

  it('a Kafka probe sent to Redis fails', async () => {
    const redis = native('redis-cache').port;
    await expect(probe({ ...native('kafka'), port: redis }, 2_000)).rejects.toThrow(
      `kafka on 127.0.0.1:${redis}`,
    );
  });

  it('sees a listening port as taken and a closed one as free', async () => {
    expect(await portTaken(native('postgres').port)).toBe(true);
    expect(await portTaken(1)).toBe(false);
  });
});
