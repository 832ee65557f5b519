import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { consumerGroups, redisNodes } from '@sdp/topology';
import { asUser, TEST_INTERNAL_AUTH_SECRET, testInfraEnv, testSchema } from '@sdp/testing';
import { createControlApp } from './app';
import { loadControlConfig } from './config';
import type { LiveFrame } from './live/live-feed';
import { ScenarioRunsRepository } from './scenarios/scenario-runs.repository';

// control in-process against the real Postgres, Redis nodes and Kafka, without a runner channel
// (as under compose): the servers' boxes carry their real figures, the fault scenarios are refused
// with the reason, and one run at a time is enforced by the database.
const schema = testSchema('control');

describe('control service', () => {
  let app: NestFastifyApplication;
  const admin = asUser('control-int-admin', 'admin');
  /** Asks control, as the admin, to start a run. */
  const startRun = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/runs', headers: admin, payload });

  beforeAll(async () => {
    app = await createControlApp(
      loadControlConfig({
        ...testInfraEnv(),
        DB_SCHEMA: schema.name,
        INTERNAL_AUTH_SECRET: TEST_INTERNAL_AUTH_SECRET,
        LOG_LEVEL: 'silent',
        DB_POOL_SIZE: '2',
        // Nothing listens there: the proxies' boxes must say down, not fail the frame.
        LB_URL: 'http://127.0.0.1:9',
        EDGE_URL: 'http://127.0.0.1:9',
      }),
    );
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await schema.drop();
  });

  it('is admin-only: no identity 401, a customer 403', async () => {
    expect((await app.inject({ method: 'GET', url: '/snapshot' })).statusCode).toBe(401);
    const asCustomer = await app.inject({ method: 'GET', url: '/scenarios', headers: asUser('c-1') });
    expect(asCustomer.statusCode).toBe(403);
  });

  it('reads the real servers: Redis INFO per node, Kafka lag per consumer group and DLQ depth, Postgres', async () => {
    const response = await app.inject({ method: 'GET', url: '/snapshot', headers: admin });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { snapshot, run } = response.json<LiveFrame>();
    expect(run).toBeNull();
    expect(snapshot.discovery).toBe('dns');
    const node = (id: string) => snapshot.nodes.find((n) => n.id === id)!;
    const labels = (id: string) => node(id).figures.map((f) => f.label);
    for (const redis of redisNodes) expect(node(redis.name).status).toBe('up');
    expect(labels('redis-cache')).toEqual(['hit ratio', 'memory', 'ops/s', 'keys']);
    expect(labels('redis-lock-1')).toEqual(['ops/s', 'keys (locks held)', 'clients']);
    expect(node('kafka').status).toBe('up');
    const groups = Object.values(consumerGroups).flatMap((g) => Object.values(g) as string[]);
    expect(labels('kafka')).toEqual(['topics', 'DLQ depth', ...groups.map((g) => `lag ${g}`)]);
    expect(node('postgres').status).toBe('up');
    expect(Number(node('postgres').figures[0].value)).toBeGreaterThan(0);
    expect(node('lb').status).toBe('down');
    // No DNS names for the services here: their boxes are unknown, each replica listed.
    expect(node('catalog')).toMatchObject({
      status: 'unknown',
      replicas: [{ id: 'catalog-1' }, { id: 'catalog-2' }],
    });
    console.log(
      `control int: ${snapshot.nodes.length} boxes; redis-cache ${node('redis-cache')
        .figures.map((f) => `${f.label} ${f.value}`)
        .join(', ')}; kafka ${node('kafka')
        .figures.slice(0, 2)
        .map((f) => `${f.label} ${f.value}`)
        .join(', ')}`,
    );
  });

  it('refuses a fault scenario without the runner channel, naming why, and a bad parameter with a 400', async () => {
    const kill = await startRun({ scenario: 'kill-replica' });
    expect(kill.statusCode).toBe(409);
    expect(kill.json<{ message: string }>().message).toMatch(/runner’s control channel/);
    const bad = await startRun({ scenario: 'flash-sale', units: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/units must be from 1 to 300/);
    const shortOutage = await startRun({ scenario: 'kafka-down', seconds: 1 });
    expect(shortOutage.statusCode).toBe(400);
    expect(shortOutage.json<{ message: string }>().message).toMatch(/seconds must be from 5 to 120/);
    const list = await app.inject({ method: 'GET', url: '/scenarios', headers: admin });
    const items = list.json<{ items: { name: string; enabled: boolean; reason?: string }[] }>().items;
    expect(items.find((s) => s.name === 'flash-sale')).toMatchObject({ enabled: true });
    // The infra faults need the runner to stop a server: shown disabled with the reason, refused.
    for (const name of ['lock-nodes-down', 'kafka-down', 'cache-down']) {
      expect(items.find((s) => s.name === name)).toMatchObject({
        enabled: false,
        reason: expect.stringMatching(/runner’s control channel/),
      });
      const refused = await startRun({ scenario: name });
      expect(refused.statusCode).toBe(409);
    }
    expect((await app.inject({ method: 'GET', url: '/runs', headers: admin })).json()).toEqual({ items: [] });
  });

  it('records at most one running scenario, and marks an abandoned one failed', async () => {
    const runs = app.get(ScenarioRunsRepository);
    const first = await runs.start('flash-sale', { buyers: 1, units: 1 }, 'someone');
    await expect(runs.start('kill-replica', {}, 'someone-else')).rejects.toThrow(
      'a scenario is already running',
    );
    expect(await runs.failAbandoned()).toBe(1);
    const [recorded] = await runs.recent(5);
    expect(recorded).toMatchObject({
      id: first.id,
      status: 'failed',
      invariant: 'not checked: control restarted during the run',
    });
    expect(recorded.endedAt).not.toBeNull();
  });
});
