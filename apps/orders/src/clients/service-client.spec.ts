import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@sdp/testing';
import { ServiceClient, UpstreamUnavailableError } from './service-client';

// Real local HTTP servers (no fetch mocks): which replica answered is what is under test.
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

  it('spreads requests round-robin over the replicas', async () => {
    const [a, b] = await Promise.all([startServer('a'), startServer('b')]);
    servers.push(a.server, b.server);
    const client = new ServiceClient('svc', [a.url, b.url], 1_000);
    const names = [];
    for (let i = 0; i < 4; i++)
      names.push(((await client.request('GET', '/x')).body as { name: string }).name);
    expect(names).toEqual(['a', 'b', 'a', 'b']);
  });

  it('fails over to the next replica when one refuses connections', async () => {
    const live = await startServer('live');
    servers.push(live.server);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const client = new ServiceClient('svc', [dead, live.url], 1_000);
    for (let i = 0; i < 3; i++) {
      const res = await client.request('GET', '/x');
      expect(res).toMatchObject({ status: 200, baseUrl: live.url });
    }
    expect(live.hits()).toBe(3);
  });

  it('gives up with UpstreamUnavailableError when no replica is reachable, or one is too slow', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    await expect(new ServiceClient('svc', [dead], 1_000).request('GET', '/x')).rejects.toThrow(
      /no svc replica reachable/,
    );
    const slow = await startServer('slow', 500);
    servers.push(slow.server);
    const attempt = new ServiceClient('svc', [slow.url], 100).request('GET', '/x');
    await expect(attempt).rejects.toBeInstanceOf(UpstreamUnavailableError);
    await expect(attempt).rejects.toThrow(/did not answer within 100 ms/);
  });
});
