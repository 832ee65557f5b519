import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@sdp/testing';
import { startFakeOrigin, type FakeOrigin } from './fake-origin';
import { request } from './http-client';
import { startNginx, type NginxInstance } from './nginx-process';

// The internal load balancer, real nginx in front of fake replicas that count what they receive.

describe('nginx lb', () => {
  let dir: string;
  let a: FakeOrigin;
  let b: FakeOrigin;
  let lb: NginxInstance;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-lb-'));
    [a, b] = await Promise.all([startFakeOrigin('catalog-1'), startFakeOrigin('catalog-2')]);
    for (const o of [a, b]) o.routes.set('*', { body: JSON.stringify({ instance: o.id }) });
    lb = await startNginx({
      role: 'lb',
      dir,
      port: await freePort(),
      upstreams: { catalog: [a.address, b.address] },
    });
  });

  afterEach(async () => {
    await lb?.stop();
    await Promise.all([a.kill(), b.kill()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('spreads GETs over both replicas and names the one that answered', async () => {
    const byInstance: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const res = await request(`${lb.url}/catalog/products/1`);
      expect(res.status).toBe(200);
      const instance = String(res.headers['x-instance-id']);
      byInstance[instance] = (byInstance[instance] ?? 0) + 1;
      expect(res.headers['x-upstream-addr']).toBe(instance === a.id ? a.address : b.address);
    }
    console.log('lb spread of 40 GETs by x-instance-id:', byInstance);
    expect(a.count('GET /products/1')).toBeGreaterThanOrEqual(10);
    expect(b.count('GET /products/1')).toBeGreaterThanOrEqual(10);
    expect(a.count() + b.count()).toBe(40);
  });

  it('strips the service prefix and passes the request id down and back', async () => {
    const res = await request(`${lb.url}/catalog/products?limit=2`, {
      headers: { 'x-request-id': 'rid-lb-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('rid-lb-1');
    const seen = [...a.lastHeaders.entries(), ...b.lastHeaders.entries()].find(
      ([key]) => key === 'GET /products?limit=2',
    );
    expect(seen?.[1]['x-request-id']).toBe('rid-lb-1');
    expect((await request(`${lb.url}/nothing-here/x`)).status).toBe(404);
  });

  it('fails a GET over to the live replica when one is dead: the client sees no error', async () => {
    await b.kill();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await request(`${lb.url}/catalog/products/2`)).status);
    console.log(`GETs with catalog-2 dead: ${statuses.filter((s) => s === 200).length}/20 OK`);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(a.count('GET /products/2')).toBe(20);
  });

  it('retries a GET whose replica died mid-request on the other one', async () => {
    b.mode = 'drop';
    for (let i = 0; i < 6; i++) {
      const res = await request(`${lb.url}/catalog/products/3`);
      expect(res.status).toBe(200);
      expect(res.headers['x-instance-id']).toBe(a.id);
    }
    expect(b.count('GET /products/3')).toBeGreaterThanOrEqual(1);
  });

  it('never retries a POST that reached a replica which then died: 502, and the other replica never sees it', async () => {
    b.mode = 'drop';
    const results: number[] = [];
    // Round robin among idle replicas: within a few POSTs one lands on catalog-2.
    for (let i = 0; i < 6 && b.count() === 0; i++) {
      results.push((await request(`${lb.url}/catalog/orders`, { method: 'POST', body: '{}' })).status);
    }
    console.log('POST statuses:', results, 'catalog-1 saw', a.count(), 'catalog-2 saw', b.count());
    expect(b.count('POST /orders')).toBe(1);
    expect(results.filter((s) => s === 502)).toHaveLength(1);
    expect(a.count('POST /orders')).toBe(results.filter((s) => s === 200).length);
  });

  it('passes a POST on when the first replica refused the connection (it never received it)', async () => {
    await b.kill();
    for (let i = 0; i < 4; i++)
      expect((await request(`${lb.url}/catalog/orders`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(a.count('POST /orders')).toBe(4);
  });

  it('reloads with new upstreams without dropping the listener', async () => {
    const c = await startFakeOrigin('inventory-1');
    try {
      c.routes.set('*', { body: '{}' });
      await lb.reload({ upstreams: { catalog: [a.address], inventory: [c.address] } });
      const res = await request(`${lb.url}/inventory/stock/SKU-1`);
      expect(res.status).toBe(200);
      expect(res.headers['x-instance-id']).toBe('inventory-1');
    } finally {
      await c.kill();
    }
  });
});

describe('nginx -t', () => {
  it('accepts the configs rendered from the real topology', async () => {
    const { services, servicePorts } = await import('@sdp/topology');
    const { nginxBinary, renderFor, instanceFiles, testNginxConf } = await import('./nginx-process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdp-nginx-t-'));
    try {
      const addresses = (name: string) =>
        servicePorts(services.find((s) => s.name === name)!).map((p) => `127.0.0.1:${p}`);
      const options = [
        {
          role: 'lb' as const,
          dir: path.join(dir, 'lb'),
          port: 8081,
          upstreams: Object.fromEntries(
            services.filter((s) => s.name !== 'gateway').map((s) => [s.name, addresses(s.name)]),
          ),
        },
        {
          role: 'edge' as const,
          dir: path.join(dir, 'edge'),
          port: 8080,
          gateways: addresses('gateway'),
          refreshToken: 'f'.repeat(64),
        },
      ];
      for (const o of options) {
        fs.mkdirSync(path.join(o.dir, 'temp'), { recursive: true });
        const conf = path.join(o.dir, 'nginx.conf');
        fs.writeFileSync(conf, renderFor(o, instanceFiles(o)));
        await expect(testNginxConf(nginxBinary(), conf, o.dir)).resolves.toBeUndefined();
      }
      fs.writeFileSync(path.join(dir, 'bad.conf'), 'events {}\nhttp { nonsense on; }\n');
      await expect(testNginxConf(nginxBinary(), path.join(dir, 'bad.conf'), dir)).rejects.toThrow(
        /unknown directive "nonsense"/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
