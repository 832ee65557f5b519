import { services, type ServiceSpec } from '@sdp/topology';
import { formatSummary, OutputTail, replicasOf, shellQuote, unbuilt } from './replicas';

delete process.env.SDP_PORT_OFFSET; // the ports below assume no offset

const topology: ServiceSpec[] = [
  { name: 'catalog', basePort: 3100, replicas: 2, schema: 'catalog' },
  { name: 'orders', basePort: 3300, replicas: 1, schema: 'orders' },
];
const infraEnv = { DATABASE_URL: 'postgres://x', KAFKA_BROKERS: '127.0.0.1:59092' };

describe('replicasOf', () => {
  const replicas = replicasOf(topology, { repoRoot: '/repo', infraEnv });

  it('gives service-only env (secrets) to that service alone', () => {
    const withSecrets = replicasOf(topology, {
      repoRoot: '/repo',
      infraEnv,
      serviceEnv: (service): Record<string, string> =>
        service === 'catalog' ? { JWT_SECRET: 'only-catalog' } : {},
    });
    expect(withSecrets.filter((r) => r.env.JWT_SECRET).map((r) => r.service)).toEqual(['catalog', 'catalog']);
  });

  it('makes one replica per port of every service, numbered from 1', () => {
    expect(replicas.map((r) => [r.id, r.port, r.url])).toEqual([
      ['catalog-1', 3100, 'http://127.0.0.1:3100'],
      ['catalog-2', 3101, 'http://127.0.0.1:3101'],
      ['orders-1', 3300, 'http://127.0.0.1:3300'],
    ]);
    expect(replicas[2].entry).toBe('/repo/apps/orders/dist/main.js');
  });

  it('gives each replica the infra env, its service env (schema) and its own HOST, PORT and INSTANCE_ID', () => {
    expect(replicas[1].env).toEqual({
      ...infraEnv,
      DB_SCHEMA: 'catalog',
      EDGE_URL: 'http://127.0.0.1:8080', // catalog refreshes the edge cache on product changes
      EDGE_URLS: 'http://127.0.0.1:8080,http://127.0.0.1:8092,http://127.0.0.1:8093', // every region's edge
      HOST: '127.0.0.1',
      PORT: '3101',
      INSTANCE_ID: 'catalog-2',
    });
  });

  it('reads the real topology', () => {
    const real = replicasOf(services, { repoRoot: '/r', infraEnv: {} });
    expect(real.map((r) => r.id)).toEqual(expect.arrayContaining(['catalog-1', 'catalog-2']));
  });

  it('lists each unbuilt service once', () => {
    expect(unbuilt(replicas, (f) => f.includes('orders'))).toEqual(['catalog']);
    expect(unbuilt(replicas, () => true)).toEqual([]);
  });

  it('quotes for the shell', () => {
    expect(shellQuote("it's here")).toBe("'it'\\''s here'");
  });
});

describe('formatSummary', () => {
  it('lists every replica URL and curl examples for each replica', () => {
    const text = formatSummary(replicasOf(topology, { repoRoot: '/repo', infraEnv }), {
      seconds: 2.345,
      downOnExit: false,
      logsDir: '/repo/.infra/logs',
    });
    expect(text).toContain('/repo/.infra/logs/<replica>.log');
    expect(text).toContain('pnpm logs catalog');
    expect(text).toContain('3 replica(s) of 2 service(s) in 2.3s');
    expect(text).toMatch(/^ {2}catalog-1 {2}http:\/\/127\.0\.0\.1:3100$/m);
    expect(text).toMatch(/^ {2}orders-1 {3}http:\/\/127\.0\.0\.1:3300$/m);
    expect(text).toContain('curl -i http://127.0.0.1:3100/products/1');
    expect(text).toContain('curl -i http://127.0.0.1:3101/products/1');
    expect(text).toContain("curl -i 'http://127.0.0.1:3100/products?limit=3'");
    expect(text).toContain('curl -i http://127.0.0.1:3300/ready');
    expect(text).toContain('infrastructure keeps running');
  });
});

describe('OutputTail', () => {
  it('keeps the last lines across chunk boundaries', () => {
    const tail = new OutputTail(2);
    expect(tail.text()).toBe('(no output)');
    tail.push('one\ntw');
    tail.push('o\nthree\nfou');
    expect(tail.text()).toBe('three\nfou');
  });
});

describe('formatSummary with the proxies', () => {
  it('puts the edge URL first as the one to open, with curls through the edge and the lb', () => {
    const text = formatSummary(replicasOf(topology, { repoRoot: '/repo', infraEnv }), {
      seconds: 1,
      downOnExit: false,
      proxies: { edge: 'http://127.0.0.1:8080', lb: 'http://127.0.0.1:8081' },
    });
    expect(text.split('\n')[2]).toContain('open http://127.0.0.1:8080');
    expect(text).toContain('curl -i http://127.0.0.1:8080/api/products/1');
    expect(text).toContain('curl -i http://127.0.0.1:8081/catalog/ready');
    expect(text).toMatch(/^ {2}catalog-1 {5}http:\/\/127\.0\.0\.1:3100$/m);
  });
});
