import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts, waitFor } from '@sdp/testing';
import { startControlChannel, type ControlChannel } from './control-channel';
import { infraPaths } from './paths';
import { startReplicas, type ReplicaProcesses } from './replica-processes';
import type { Replica } from './replicas';
import { infraServerControl } from './server-control';
import { redisPing, redisServer } from './servers/redis';

// The runner's control channel over real replica processes (a tiny HTTP server each): list, kill
// (SIGKILL, the process is gone), start again on the same port, and refusals without the secret;
// and an infra server (a real redis-server under a private .infra/, started and stopped through the
// runner's own lifecycle, as `pnpm stack` does for redis-cache, redis-lock-N and kafka).

const SECRET = 's'.repeat(40);

describe('runner control channel', () => {
  let dir: string;
  let processes: ReplicaProcesses;
  let channel: ControlChannel;
  let replicas: Replica[];
  let redisPort: number;
  const crashes: string[] = [];
  const pidOf = async (replica: Replica) => (await fetch(replica.url)).text();
  const controlled: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-channel-'));
    const entry = path.join(dir, 'server.js');
    fs.writeFileSync(
      entry,
      "require('node:http').createServer((q, s) => s.end(String(process.pid))).listen(Number(process.env.PORT), '127.0.0.1');",
    );
    const [channelPort, cachePort, ...ports] = await freePorts(4);
    redisPort = cachePort;
    replicas = ports.map((port, i) => ({
      id: `demo-${i + 1}`,
      service: 'demo',
      port,
      url: `http://127.0.0.1:${port}`,
      entry,
      env: { PORT: String(port) },
    }));
    processes = startReplicas(replicas, {
      cwd: dir,
      logsDir: path.join(dir, 'logs'),
      onCrash: (r, how) => crashes.push(`${r.id} ${how}`),
      onControl: (r, what) => controlled.push(`${r.id} ${what}`),
    });
    for (const replica of replicas)
      await waitFor(() => pidOf(replica).catch(() => undefined), { timeoutMs: 10_000, what: replica.id });
    const paths = infraPaths(dir); // a private .infra/ under the temp dir
    fs.mkdirSync(paths.logs, { recursive: true });
    fs.mkdirSync(paths.run, { recursive: true });
    const cache = redisServer({ name: 'redis-cache', role: 'cache', port: cachePort });
    const notOffered = redisServer({ name: 'redis-other', role: 'cache', port: cachePort });
    channel = await startControlChannel({
      port: channelPort,
      secret: SECRET,
      control: processes,
      servers: infraServerControl(paths, dir, [cache, notOffered]),
    });
  });

  afterAll(async () => {
    await call('POST', '/servers/redis-cache/stop').catch(() => undefined);
    await channel?.close();
    await processes?.stop(2_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, route: string, secret = SECRET) =>
    fetch(`${channel.url}${route}`, { method, headers: { authorization: `Bearer ${secret}` } });

  it('refuses a request without the right secret', async () => {
    expect((await call('GET', '/replicas', 'wrong')).status).toBe(401);
    expect((await fetch(`${channel.url}/replicas`)).status).toBe(401);
    expect((await call('POST', '/replicas/demo-9/kill')).status).toBe(404);
    expect((await call('DELETE', '/replicas')).status).toBe(404);
  });

  it('lists, kills and starts a replica again', async () => {
    const listed = (await (await call('GET', '/replicas')).json()) as {
      replicas: { id: string; state: string }[];
    };
    expect(listed.replicas.map((r) => `${r.id} ${r.state}`)).toEqual(['demo-1 running', 'demo-2 running']);
    const before = await pidOf(replicas[1]);

    const killed = await call('POST', '/replicas/demo-2/kill');
    expect(killed.status).toBe(200);
    await expect(killed.json()).resolves.toMatchObject({ id: 'demo-2', state: 'stopped' });
    await expect(fetch(replicas[1].url)).rejects.toThrow();
    expect((await call('POST', '/replicas/demo-2/kill')).status).toBe(409);
    expect(await pidOf(replicas[0])).toMatch(/^\d+$/); // the other one is untouched

    const started = await call('POST', '/replicas/demo-2/start');
    expect(started.status).toBe(200);
    await expect(started.json()).resolves.toMatchObject({ id: 'demo-2', state: 'running' });
    const after = await waitFor(() => pidOf(replicas[1]).catch(() => undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: 'demo-2 answering again',
    });
    expect(after).not.toBe(before);
    expect((await call('POST', '/replicas/demo-2/start')).status).toBe(409);
    // A kill on purpose is not reported as a crash.
    expect(crashes).toEqual([]);
    expect(controlled).toEqual([
      'demo-2 killed (SIGKILL) through the control channel',
      'demo-2 started again through the control channel',
    ]);
  });

  it('stops and starts an infra server, ready when the start answers, and refuses what it does not offer', async () => {
    const listed = (await (await call('GET', '/servers')).json()) as {
      servers: { name: string; state: string }[];
    };
    expect(listed.servers).toEqual([{ name: 'redis-cache', port: redisPort, state: 'stopped' }]);
    expect((await call('POST', '/servers/redis-other/stop')).status).toBe(404);
    expect((await call('POST', '/servers/postgres/start')).status).toBe(404);
    expect((await call('POST', '/servers/redis-cache/stop')).status).toBe(409); // not running

    let at = Date.now();
    const started = await call('POST', '/servers/redis-cache/start');
    expect(started.status).toBe(200);
    await expect(started.json()).resolves.toMatchObject({ name: 'redis-cache', state: 'running' });
    expect(await redisPing(redisPort)).toBe(true); // ready when the answer came
    const startMs = Date.now() - at;
    expect((await call('POST', '/servers/redis-cache/start')).status).toBe(409);

    at = Date.now();
    const stopped = await call('POST', '/servers/redis-cache/stop');
    expect(stopped.status).toBe(200);
    await expect(stopped.json()).resolves.toMatchObject({ state: 'stopped' });
    expect(await redisPing(redisPort)).toBe(false);
    console.log(
      `control channel: redis-cache started (ready) in ${startMs} ms, stopped in ${Date.now() - at} ms`,
    );
  });
});
