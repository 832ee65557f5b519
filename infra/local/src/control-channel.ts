// The runner's control channel: a small HTTP server on loopback that lets the control service
// (apps/control) see where every replica runs and kill or start one, and stop or start one of the
// infra servers a fault scenario needs (Redis nodes, Kafka: server-control.ts), for the live
// architecture page's scenarios. Narrow on purpose: those operations and nothing else; loopback
// only; every request must carry `Authorization: Bearer <RUNNER_CONTROL_SECRET>`.
// `pnpm stack` and the e2e test stacks serve it; compose has none (docs/architecture.md).
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReplicaState = 'running' | 'stopped' | 'starting';

export interface ControlledReplica {
  id: string;
  service: string;
  url: string;
  state: ReplicaState;
}

/** What the runner lets the channel do. */
export interface ReplicaControl {
  list(): ControlledReplica[];
  /** SIGKILL (a crash, not a graceful stop); resolves once the process is gone. */
  kill(id: string): Promise<void>;
  /** Starts a stopped replica again with the same command and env; resolves once spawned. */
  start(id: string): Promise<void>;
}

export interface ControlledServer {
  name: string;
  port: number;
  /** starting: its process lives but its port does not answer yet. */
  state: 'running' | 'stopped' | 'starting';
}

/** The infra servers the channel may stop and start (infra/local/src/server-control.ts). */
export interface ServerControl {
  list(): Promise<ControlledServer[]>;
  /** Its clean stop signal (SIGKILL after 30 s); resolves once the process is gone. */
  stop(name: string): Promise<void>;
  /** Starts it again; resolves once it is ready (Kafka: answering and its topics there). */
  start(name: string): Promise<void>;
}

export interface ControlChannel {
  url: string;
  close(): Promise<void>;
}

const sameSecret = (given: string, secret: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function startControlChannel(options: {
  port: number;
  secret: string;
  control: ReplicaControl;
  /** Without it (a stack with no infra of its own to stop), /servers answers 404. */
  servers?: ServerControl;
}): Promise<ControlChannel> {
  if (options.secret.length < 32)
    throw new Error('runner control channel: the secret must be at least 32 characters');
  const busy = new Set<string>(); // servers being stopped or started: one operation at a time each
  const server = http.createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const failed = (what: string) => (error: unknown) =>
      reply(500, {
        statusCode: 500,
        error: 'Internal Server Error',
        message: `${what} failed: ${String(error)}`,
      });
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice('Bearer '.length), options.secret))
      return reply(401, {
        statusCode: 401,
        error: 'Unauthorized',
        message: 'runner control channel: bad or missing bearer secret',
      });
    const url = new URL(request.url ?? '/', 'http://runner');
    if (request.method === 'GET' && url.pathname === '/replicas')
      return reply(200, { replicas: options.control.list() });
    const match = /^\/replicas\/([\w.-]+)\/(kill|start)$/.exec(url.pathname);
    if (request.method === 'POST' && match) {
      const [, id, action] = match;
      const replica = options.control.list().find((r) => r.id === id);
      if (!replica) return reply(404, { statusCode: 404, error: 'Not Found', message: `no replica ${id}` });
      if (action === 'kill' && replica.state === 'stopped')
        return reply(409, { statusCode: 409, error: 'Conflict', message: `${id} is not running` });
      if (action === 'start' && replica.state !== 'stopped')
        return reply(409, {
          statusCode: 409,
          error: 'Conflict',
          message: `${id} is already ${replica.state}`,
        });
      (action === 'kill' ? options.control.kill(id) : options.control.start(id)).then(
        () =>
          reply(
            200,
            options.control.list().find((r) => r.id === id),
          ),
        failed(`${action} ${id}`),
      );
      return;
    }
    const servers = options.servers;
    if (servers && request.method === 'GET' && url.pathname === '/servers') {
      servers.list().then((list) => reply(200, { servers: list }), failed('listing the servers'));
      return;
    }
    const serverMatch = /^\/servers\/([\w.-]+)\/(stop|start)$/.exec(url.pathname);
    if (servers && request.method === 'POST' && serverMatch) {
      const [, name, action] = serverMatch;
      void controlServer(servers, name, action as 'stop' | 'start', busy).then(
        ([status, body]) => reply(status, body),
        failed(`${action} ${name}`),
      );
      return;
    }
    reply(404, {
      statusCode: 404,
      error: 'Not Found',
      message: `runner control channel: GET /replicas, POST /replicas/:id/kill|start${
        options.servers ? ', GET /servers, POST /servers/:name/stop|start' : ''
      }`,
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** One stop or start of an infra server, refused (404/409) when it makes no sense. */
async function controlServer(
  servers: ServerControl,
  name: string,
  action: 'stop' | 'start',
  busy: Set<string>,
): Promise<[number, unknown]> {
  const refuse = (status: number, message: string): [number, unknown] => [
    status,
    { statusCode: status, error: status === 404 ? 'Not Found' : 'Conflict', message },
  ];
  const before = (await servers.list()).find((s) => s.name === name);
  if (!before)
    return refuse(
      404,
      `no server ${name} (the channel controls: ${(await servers.list()).map((s) => s.name).join(', ')})`,
    );
  if (busy.has(name)) return refuse(409, `${name} is being stopped or started already`);
  if (action === 'stop' && before.state === 'stopped') return refuse(409, `${name} is not running`);
  if (action === 'start' && before.state === 'running') return refuse(409, `${name} is already running`);
  busy.add(name);
  try {
    await (action === 'stop' ? servers.stop(name) : servers.start(name));
  } finally {
    busy.delete(name);
  }
  return [200, (await servers.list()).find((s) => s.name === name)];
}
