import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startWanLink, validateWanLink } from './wan-link';

// Narrow unit test of the link's forwarding on loopback (a real HTTP server behind it). Latency
// figures are printed, not asserted; what is asserted is that bytes arrive whole and in order.
describe('WAN link', () => {
  let server: http.Server;
  let target: { host: string; port: number };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/octet-stream');
        res.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('carries a large body intact and in order, over a fresh connection per request', async () => {
    const link = await startWanLink({ port: 0, target, rttMs: 20 });
    try {
      const body = Buffer.alloc(2_000_000);
      for (let i = 0; i < body.length; i++) body[i] = (i * 31) % 251;
      const started = performance.now();
      const res = await fetch(`${link.url}/echo`, { method: 'POST', body });
      const echoed = Buffer.from(await res.arrayBuffer());
      console.log(`2 MB echo through a 20 ms link: ${Math.round(performance.now() - started)} ms`);
      expect(res.status).toBe(200);
      expect(echoed.equals(body)).toBe(true);
      expect(link.connections()).toBeGreaterThanOrEqual(1);
    } finally {
      await link.stop();
    }
  });

  it('refuses settings that are not a latency or a port', () => {
    expect(() => validateWanLink({ port: 1, target: { host: 'x', port: 2 }, rttMs: -1 })).toThrow(/rttMs/);
    expect(() => validateWanLink({ port: 1, target: { host: 'x', port: 70_000 }, rttMs: 1 })).toThrow(
      /target port/,
    );
  });
});
