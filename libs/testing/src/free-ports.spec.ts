import { createServer, type Server } from 'node:net';
import { freePorts } from './free-ports';

const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe(freePorts.name, () => {
  it('hands out distinct ports below the ephemeral range that a server can then bind', async () => {
    const ports = await freePorts(6);
    expect(new Set(ports).size).toBe(6);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
    }
    const servers = await Promise.all(ports.map(listen));
    await Promise.all(servers.map(close));
  });

  it('skips ports somebody is listening on', async () => {
    // Candidates are walked one by one: occupy the three after the last one handed out.
    const [last] = await freePorts(1);
    const occupied = [last + 1, last + 2, last + 3];
    const servers = await Promise.all(occupied.map((port) => listen(port).catch(() => undefined)));
    try {
      const [next] = await freePorts(1);
      expect(occupied).not.toContain(next);
    } finally {
      for (const server of servers) if (server) await close(server);
    }
  });
});
