// A tiny HTTP server for nginx tests: answers by path with a configurable status, headers, body and
// delay, counts requests per method+url, reports its instance id, and can be killed or made to drop
// requests mid-way (accept, read, then destroy the socket: a replica dying mid-request).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string | (() => string);
  delayMs?: number;
  /** Write the head and this first chunk, then keep the response open (server-sent events). */
  stream?: string;
}

export interface FakeOrigin {
  id: string;
  port: number;
  address: string;
  /** Routes by exact path (query ignored); `*` matches anything else. */
  routes: Map<string, Route>;
  /** 'ok' answers; 'drop' destroys the socket after reading the request; 'hang' never answers. */
  mode: 'ok' | 'drop' | 'hang';
  /** Requests seen, per `METHOD url`. */
  hits: Map<string, number>;
  /** Request headers of the last request per `METHOD url`. */
  lastHeaders: Map<string, http.IncomingHttpHeaders>;
  count(methodAndUrl?: string): number;
  kill(): Promise<void>;
}

export async function startFakeOrigin(id: string, port = 0): Promise<FakeOrigin> {
  const origin: FakeOrigin = {
    id,
    port: 0,
    address: '',
    routes: new Map(),
    mode: 'ok',
    hits: new Map(),
    lastHeaders: new Map(),
    count(key) {
      if (key) return this.hits.get(key) ?? 0;
      return [...this.hits.values()].reduce((a, b) => a + b, 0);
    },
    kill: () => Promise.resolve(),
  };
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    req.resume();
    req.on('end', () => {
      origin.hits.set(key, (origin.hits.get(key) ?? 0) + 1);
      origin.lastHeaders.set(key, req.headers);
      if (origin.mode === 'drop') return req.socket.destroy();
      if (origin.mode === 'hang') return;
      const path = (req.url ?? '/').split('?')[0];
      const route = origin.routes.get(path) ?? origin.routes.get('*');
      const send = () => {
        if (!route) {
          res.writeHead(404, { 'content-type': 'application/json', 'x-instance-id': id });
          return res.end(JSON.stringify({ statusCode: 404, message: `no route ${path}` }));
        }
        const headers = { 'content-type': 'application/json', 'x-instance-id': id, ...route.headers };
        if (route.stream !== undefined) {
          res.writeHead(route.status ?? 200, headers);
          res.write(route.stream);
          return;
        }
        const body = typeof route.body === 'function' ? route.body() : (route.body ?? '{}');
        res.writeHead(route.status ?? 200, headers);
        res.end(body);
      };
      if (route?.delayMs) setTimeout(send, route.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  origin.port = (server.address() as AddressInfo).port;
  origin.address = `127.0.0.1:${origin.port}`;
  origin.kill = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return origin;
}
