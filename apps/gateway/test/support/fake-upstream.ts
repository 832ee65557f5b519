import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

/**
 * A real HTTP server standing in for the lb: records every request and answers with the handler a
 * test sets (per path prefix, e.g. '/orders'); by default it echoes what it received as JSON.
 */
export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  private readonly handlers = new Map<string, Handler>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const handler = [...this.handlers].find(([prefix]) => req.url!.startsWith(prefix))?.[1] ?? echo;
        Promise.resolve(handler(req, res, body)).catch(() => res.destroy());
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers requests whose path starts with `prefix` with `handler` until reset. */
  on(prefix: string, handler: Handler): void {
    this.handlers.set(prefix, handler);
  }

  reset(): void {
    this.handlers.clear();
    this.requests.length = 0;
  }

  last(prefix = '/'): RecordedRequest | undefined {
    return [...this.requests].reverse().find((r) => r.url.startsWith(prefix));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export const echo: Handler = (req, res, body) => {
  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'public, max-age=0, s-maxage=30',
    'x-instance-id': 'fake-service-1',
    'x-cache': 'MISS',
  });
  res.end(JSON.stringify({ method: req.method, url: req.url, body }));
};

export const status =
  (code: number, payload: unknown = { statusCode: code, message: `fake ${code}` }): Handler =>
  (_req, res) => {
    res.writeHead(code, { 'content-type': 'application/json', 'x-instance-id': 'fake-service-1' });
    res.end(JSON.stringify(payload));
  };

export const slow =
  (ms: number, then: Handler = echo): Handler =>
  async (req, res, body) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (!res.destroyed) await then(req, res, body);
  };
