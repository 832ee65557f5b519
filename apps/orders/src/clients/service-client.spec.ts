import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@sdp/testing';
import { ServiceClient, UpstreamUnavailableError } from './service-client';

// Real local HTTP servers (no fetch mocks).
function startServer(
  name: string,
  delayMs = 0,
): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    setTimeout(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name })),
      delayMs,
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        hits: () => hits,
      }),
    ),
  );
}

describe(ServiceClient.name, () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('calls the one base URL it was given (the lb), path appended', async () => {
    const lb = await startServer('lb');
    servers.push(lb.server);
    const client = new ServiceClient('svc', lb.url, 1_000);
    for (let i = 0; i < 3; i++) {
      const res = await client.request('GET', '/x');
      expect(res).toEqual({ status: 200, body: { name: 'lb' } });
    }
    expect(lb.hits()).toBe(3);
  });

  it('answers UpstreamUnavailableError when the dependency refuses connections or is too slow', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    await expect(new ServiceClient('svc', dead, 1_000).request('GET', '/x')).rejects.toThrow(
      /svc unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    const slow = await startServer('slow', 500);
    servers.push(slow.server);
    const attempt = new ServiceClient('svc', slow.url, 100).request('GET', '/x');
    await expect(attempt).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(attempt).rejects.toThrow(/did not answer within 100 ms/);
  });
});
