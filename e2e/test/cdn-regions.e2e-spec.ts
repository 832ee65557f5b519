import { demoMasters, withMediaFormat } from '@sdp/media';
import { waitFor } from '@sdp/testing';
import { edgeRefreshToken } from '../../infra/local/src/nginx';
import { percentile } from './support/checkout-client';
import { startCdnLab, type CdnLab } from './support/cdn-lab';

// The regions experiment: one edge per region of @sdp/topology (eu-west next to the origin,
// us-east +80 ms and ap-south +160 ms RTT over WAN links), an origin shield and the media origin,
// all real processes. It prints, per region, a miss vs a hit, the origin requests each region
// causes with and without the shield, and what a region answers while the origin is down. Latency
// is printed, never asserted; what is asserted are counts and statuses.

const SECRET = 'cdn-regions-e2e-secret-0123456789abcdef';

interface Timed {
  status: number;
  cache: string;
  shield: string;
  ms: number;
  bytes: number;
  type: string;
  etag: string;
  body: string;
}

async function timedGet(url: string, headers: Record<string, string> = {}): Promise<Timed> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    cache: res.headers.get('x-cache-status') ?? '',
    shield: res.headers.get('x-shield-cache') ?? '',
    ms: performance.now() - started,
    bytes: body.length,
    type: res.headers.get('content-type') ?? '',
    etag: res.headers.get('etag') ?? '',
    body: body.subarray(0, 300).toString('utf8'),
  };
}

const ms = (n: number) => `${Math.round(n)} ms`.padStart(7);

describe('CDN regions (experiment)', () => {
  let lab: CdnLab;
  const pictures = demoMasters();
  const originRequests = async () => {
    const text = await (await fetch(`${lab.mediaUrl}/metrics`)).text();
    return [...text.matchAll(/^media_origin_renditions_total\{result="\w+"\} (\d+)/gm)].reduce(
      (sum, [, n]) => sum + Number(n),
      0,
    );
  };

  beforeAll(async () => {
    lab = await startCdnLab({ refreshToken: edgeRefreshToken(SECRET), aliasMaxAgeSeconds: 1 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('serves a picture as a MISS, then a HIT, in every region; same bytes and ETag everywhere; 304 from the edge', async () => {
    const rows: string[] = [];
    const objects = pictures.slice(0, 6);
    const etags = new Map<string, Set<string>>();
    for (const { region, edge } of lab.nodes.regions) {
      const miss: number[] = [];
      const hit: number[] = [];
      for (const picture of objects) {
        const url = `${edge.url}${picture.path}?w=320`;
        const first = await timedGet(url);
        const second = await timedGet(url);
        expect([region, first.status, first.cache, first.type]).toEqual([region, 200, 'MISS', 'image/webp']);
        expect([region, second.status, second.cache, second.bytes]).toEqual([
          region,
          200,
          'HIT',
          first.bytes,
        ]);
        const revalidated = await timedGet(url, { 'if-none-match': second.etag });
        expect([region, revalidated.status, revalidated.cache]).toEqual([region, 304, 'HIT']);
        miss.push(first.ms);
        hit.push(second.ms);
        (etags.get(picture.key) ?? etags.set(picture.key, new Set()).get(picture.key)!).add(first.etag);
      }
      const rtt = lab.nodes.regions.find((r) => r.region === region)!.rttMs;
      rows.push(
        `${region.padEnd(9)} ${String(rtt).padStart(4)} ms ${ms(percentile(miss, 50))} ${ms(percentile(hit, 50))}   ${(percentile(miss, 50) / percentile(hit, 50)).toFixed(0).padStart(4)}x`,
      );
    }
    for (const tags of etags.values()) expect(tags.size).toBe(1);
    console.log(
      [
        'miss vs hit per region (6 pictures, w=320, shield on; p50):',
        'region     +RTT      miss      hit   miss/hit',
        ...rows,
      ].join('\n'),
    );
  });

  it('asks the origin once per picture with the shield, once per picture and region without it', async () => {
    const objects = pictures.slice(10, 20);
    const run = async (width: number) => {
      const perRegion: { region: string; origin: number; misses: number }[] = [];
      for (const { region, edge } of lab.nodes.regions) {
        const before = await originRequests();
        const answers = await Promise.all(objects.map((p) => timedGet(`${edge.url}${p.path}?w=${width}`)));
        expect(answers.map((a) => a.status)).toEqual(objects.map(() => 200));
        perRegion.push({
          region,
          origin: (await originRequests()) - before,
          misses: answers.filter((a) => a.cache === 'MISS').length,
        });
      }
      return perRegion;
    };
    const withShield = await run(160);
    await lab.nodes.setShieldCache(false);
    let withoutShield: Awaited<ReturnType<typeof run>>;
    try {
      withoutShield = await run(640);
    } finally {
      await lab.nodes.setShieldCache(true);
    }
    console.log(
      [
        `origin requests per region for ${objects.length} new pictures (every edge misses each once):`,
        'region     edge misses  origin (shield)  origin (no shield)',
        ...withShield.map(
          (r, i) =>
            `${r.region.padEnd(9)} ${String(r.misses).padStart(12)} ${String(r.origin).padStart(16)} ${String(withoutShield[i].origin).padStart(19)}`,
        ),
        `total                  ${String(withShield.reduce((s, r) => s + r.origin, 0)).padStart(16)} ${String(withoutShield.reduce((s, r) => s + r.origin, 0)).padStart(19)}`,
      ].join('\n'),
    );
    for (const r of [...withShield, ...withoutShield]) expect(r.misses).toBe(objects.length);
    expect(withShield.map((r) => r.origin)).toEqual([objects.length, 0, 0]);
    expect(withoutShield.map((r) => r.origin)).toEqual(lab.nodes.regions.map(() => objects.length));
  });

  it('counts every region’s media hit ratio and bytes saved at the origin’s /metrics', async () => {
    const text = await waitFor(
      async () => {
        const t = await (await fetch(`${lab.mediaUrl}/metrics`)).text();
        return lab.nodes.regions.every((r) => t.includes(`cdn_media_hit_ratio{region="${r.region}"}`)) && t;
      },
      { timeoutMs: 5_000, what: 'a cdn_media_hit_ratio line per region' },
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}\n${(await (await fetch(`${lab.mediaUrl}/metrics`)).text())
          .split('\n')
          .filter((l) => l.startsWith('cdn_'))
          .join('\n')}\n${lab.media.output().slice(-2000)}`,
      );
    });
    const lines = text.split('\n').filter((l) => /^cdn_media_(hit_ratio|bytes_saved_total)\{/.test(l));
    console.log(`CDN media metrics at the origin:\n${lines.join('\n')}`);
    for (const { region } of lab.nodes.regions) {
      const ratio = Number(
        new RegExp(`cdn_media_hit_ratio\\{region="${region}"\\} ([\\d.e-]+)`).exec(text)?.[1],
      );
      const saved = Number(
        new RegExp(`cdn_media_bytes_saved_total\\{region="${region}"\\} (\\d+)`).exec(text)?.[1],
      );
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThan(1);
      expect(saved).toBeGreaterThan(0);
    }
  });

  it('keeps answering from stale copies in every region while the origin is down, and heals', async () => {
    // The mutable alias (no content hash) lives 1 s; the hashed names never expire at all.
    const warm = withMediaFormat(`/media/${pictures[30].key}.webp`, 'webp');
    const cold = `/media/${pictures[31].key}.webp`;
    const hashed = `${pictures[32].path}?w=160`;
    for (const { edge } of lab.nodes.regions) {
      expect((await timedGet(`${edge.url}${warm}`)).status).toBe(200);
      expect((await timedGet(`${edge.url}${hashed}`)).status).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // every copy of the alias has expired

    await lab.stopOrigin();
    const down: string[] = [];
    try {
      for (const { region, edge } of lab.nodes.regions) {
        const expired = await timedGet(`${edge.url}${warm}`);
        const immutable = await timedGet(`${edge.url}${hashed}`);
        const never = await timedGet(`${edge.url}${cold}`);
        down.push(
          `${region.padEnd(9)} ${`${expired.status} ${expired.cache}/${expired.shield || '-'}`.padEnd(22)} ${`${immutable.status} ${immutable.cache}`.padEnd(12)} ${never.status} ${never.cache || '-'}`,
        );
        // A copy the region (or the shield) held is served; a picture nobody held is a JSON 502.
        expect([region, expired.status, immutable.status, immutable.cache]).toEqual([
          region,
          200,
          200,
          'HIT',
        ]);
        expect([region, never.status]).toEqual([region, 502]);
        expect(never.body).toMatch(/"message":"the media origin did not answer/);
        expect(never.type).toBe('application/json');
      }
    } finally {
      await lab.startOrigin();
    }
    console.log(
      [
        'origin down (edge status / shield status):',
        'region    alias, expired         hashed name  never cached',
        ...down,
      ].join('\n'),
    );
    // Healed: every region gets a fresh copy again, and the picture nobody held now loads.
    for (const { region, edge } of lab.nodes.regions) {
      await waitFor(
        async () => {
          const res = await timedGet(`${edge.url}${warm}`);
          return res.status === 200 && res.cache !== 'STALE' && res.cache !== 'UPDATING';
        },
        {
          timeoutMs: 15_000,
          intervalMs: 200,
          what: `${region} to serve a fresh copy after the origin came back`,
        },
      );
      expect((await timedGet(`${edge.url}${cold}`)).status).toBe(200);
    }
  });

  it('answers an unknown picture with a 404 and an old-style image path with a 404, never the storefront page', async () => {
    for (const { region, edge } of lab.nodes.regions) {
      const unknown = await timedGet(`${edge.url}/media/products/audio/no-such-thing.0123456789.webp`);
      const old = await timedGet(`${edge.url}/images/products/audio/000001.webp`);
      expect([region, unknown.status, unknown.type]).toEqual([
        region,
        404,
        'application/json; charset=utf-8',
      ]);
      expect([region, old.status]).toEqual([region, 404]);
      expect(old.type).not.toMatch(/text\/html/);
      const badWidth = await timedGet(`${edge.url}${pictures[0].path}?w=333`);
      expect([region, badWidth.status]).toEqual([region, 400]);
    }
  });
});
