import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { productPicture } from '@sdp/media';
import { freePorts, waitFor } from '@sdp/testing';
import { createMediaOriginApp } from './app';
import { loadMediaOriginConfig } from './config';

// The media origin in-process on a free port, with a bucket in a temp directory: real sharp
// renders, real files, real HTTP.

describe('media origin (integration)', () => {
  let app: NestFastifyApplication;
  let base: string;
  let bucket: string;
  let udpPort: number;
  const headphones = productPicture('audio', 'Headphones');
  const get = (p: string, headers: Record<string, string> = {}) => fetch(`${base}${p}`, { headers });

  beforeAll(async () => {
    bucket = fs.mkdtempSync(path.join(os.tmpdir(), 'media-bucket-'));
    [udpPort] = await freePorts(1);
    const config = loadMediaOriginConfig({
      PORT: '1',
      MEDIA_BUCKET_DIR: bucket,
      LOG_LEVEL: 'warn',
      MEDIA_ALIAS_MAX_AGE_SECONDS: '5',
      CDN_LOG_UDP_PORT: String(udpPort),
    });
    app = await createMediaOriginApp(config);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    fs.rmSync(bucket, { recursive: true, force: true });
  });

  it('uploads the 72 demo masters into the bucket at start', () => {
    const masters = fs.readdirSync(path.join(bucket, 'masters', 'products'), { recursive: true }) as string[];
    expect(masters.filter((f) => f.endsWith('.svg'))).toHaveLength(72);
  });

  it('renders a rendition once, then serves the stored one, immutable, with an ETag and 304s', async () => {
    const url = `${headphones.path}?w=320`;
    const first = await get(url);
    const body = Buffer.from(await first.arrayBuffer());
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/webp');
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(first.headers.get('x-media-rendition')).toBe('produced');
    expect(body.subarray(0, 4).toString()).toBe('RIFF');
    expect(body.subarray(8, 12).toString()).toBe('WEBP');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);

    const second = await get(url);
    expect(second.headers.get('x-media-rendition')).toBe('stored');
    expect(Buffer.from(await second.arrayBuffer()).equals(body)).toBe(true);
    expect(second.headers.get('etag')).toBe(etag);

    const conditional = await get(url, { 'if-none-match': etag });
    expect(conditional.status).toBe(304);
    expect((await conditional.arrayBuffer()).byteLength).toBe(0);
    expect((await get(url, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('makes each width and the JPEG fallback from the same master, one render for concurrent first requests', async () => {
    const jpg = headphones.path.replace(/\.webp$/, '.jpg');
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(`${jpg}?w=160`)));
    const kinds = answers.map((a) => a.headers.get('x-media-rendition'));
    expect(answers.every((a) => a.status === 200 && a.headers.get('content-type') === 'image/jpeg')).toBe(
      true,
    );
    const bodies = await Promise.all(answers.map(async (a) => Buffer.from(await a.arrayBuffer())));
    expect(bodies[0].subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(new Set(bodies.map((b) => b.toString('base64'))).size).toBe(1);
    // Concurrent first requests share one render; each is reported as produced by the same render.
    const files = fs.readdirSync(path.dirname(path.join(bucket, 'renditions', `${headphones.key}.x`)));
    expect(files.filter((f) => f.endsWith('.160.jpg'))).toHaveLength(1);
    expect(kinds.every((k) => k === 'produced' || k === 'stored')).toBe(true);
    const large = await get(`${headphones.path}?w=640`);
    const small = await get(`${headphones.path}?w=160`);
    expect(Number(large.headers.get('content-length'))).toBeGreaterThan(
      Number(small.headers.get('content-length')),
    );
  });

  it('serves the mutable alias with a short TTL and stale-if-error', async () => {
    const alias = await get(`/media/${headphones.key}.webp`);
    expect(alias.status).toBe(200);
    expect(alias.headers.get('cache-control')).toBe('public, max-age=5, stale-if-error=86400');
    expect(alias.headers.get('x-media-version')).toBe(headphones.hash);
  });

  it('answers an unknown object 404 and a bad width or format 400, in the error shape', async () => {
    for (const p of [
      `/media/${headphones.key}.0000000000.webp`,
      '/media/products/audio/nothing.webp',
      '/media/products/audio/000001.webp?w=x',
    ]) {
      const res = await get(p);
      expect([p, res.status]).toEqual([p, p.includes('w=x') ? 400 : 404]);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json()).toMatchObject({ statusCode: res.status, message: expect.any(String) });
    }
    const badWidth = await get(`${headphones.path}?w=999`);
    expect(badWidth.status).toBe(400);
    expect(((await badWidth.json()) as { message: string }).message).toMatch(
      /w must be one of 160, 320, 640/,
    );
    expect((await get('/media/products/audio/headphones.png')).status).toBe(400);
  });

  it('turns the edges’ syslog lines into hit-ratio and bytes-saved metrics', async () => {
    const socket = dgram.createSocket('udp4');
    const send = (line: string) =>
      new Promise<void>((resolve, reject) =>
        socket.send(`<190>Dec  3 08:40:00 cdn_media: ${line}`, udpPort, '127.0.0.1', (e) =>
          e ? reject(e) : resolve(),
        ),
      );
    await send('region=test-a cache=MISS status=200 bytes=1000');
    await send('region=test-a cache=HIT status=200 bytes=1000');
    await send('region=test-a cache=HIT status=200 bytes=1000');
    await send('region=test-a cache=HIT status=304 bytes=0');
    await send('garbage');
    socket.close();
    await waitFor(
      async () =>
        (await (await get('/metrics')).text()).includes(
          'cdn_media_requests_total{region="test-a",cache="HIT"} 3',
        ),
      {
        timeoutMs: 5_000,
        what: 'the syslog lines to be counted',
      },
    );
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('cdn_media_hit_ratio{region="test-a"} 0.75');
    expect(metrics).toContain('cdn_media_bytes_saved_total{region="test-a"} 2000');
    expect(metrics).toMatch(/media_origin_renditions_total\{result="produced"\} [1-9]/);
  });
});
