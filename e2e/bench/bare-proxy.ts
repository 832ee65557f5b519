// The simplest proxy on the gateway's hop, as a baseline for what the gateway costs: a bare Node
// `http` server that sends each request to `${BENCH_UPSTREAM}/catalog<path>` (the lb) through undici
// on a keep-alive Agent, as the gateway does, and relays status, content type and body. No routing
// table, auth, rate limit, circuit breaker, validation, logs or metrics. Forked by the benchmark so
// it has its own event loop. Input (env): BENCH_UPSTREAM. Output (IPC): { port } once listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const upstream = process.env.BENCH_UPSTREAM ?? '';
const agent = new Agent({ keepAliveTimeout: 30_000 });

const server = createServer((req, res) => {
  const path = (req.url ?? '/').replace(/^\/api/, '/catalog');
  request(`${upstream}${path}`, { method: 'GET', dispatcher: agent })
    .then(async (upstreamRes) => {
      const body = Buffer.from(await upstreamRes.body.arrayBuffer());
      res.writeHead(upstreamRes.statusCode, {
        'content-type': String(upstreamRes.headers['content-type'] ?? 'application/octet-stream'),
        'content-length': body.length,
      });
      res.end(body);
    })
    .catch(() => res.writeHead(502).end());
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
