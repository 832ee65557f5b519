// The baseline target: a bare Node `http` server that answers every request with the exact product
// bytes the catalog serves. It runs in its own process (forked by the benchmark) so that, like the
// catalog, it does not share an event loop with the load generator.
//
// Input (env): BENCH_BODY_BASE64, BENCH_CONTENT_TYPE. Output (IPC): { port } once listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(process.env.BENCH_BODY_BASE64 ?? '', 'base64');
const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/json; charset=utf-8';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

// Leave quietly when the benchmark stops us (or goes away and closes the IPC channel).
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
