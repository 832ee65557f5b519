// The compose tier's CDN check: one product picture through every region's published edge. Each
// edge must answer the content-hashed WebP (image/webp, immutable) twice, MISS then HIT, the same
// bytes everywhere; a far region's miss crosses its WAN link, so the timings are printed per region.
import assert from 'node:assert/strict';

export interface PublishedEdge {
  region: string;
  /** e.g. http://127.0.0.1:8092 */
  url: string;
}

const timed = async (url: string): Promise<{ res: Response; body: Buffer; ms: number }> => {
  const started = performance.now();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { res, body, ms: Math.round(performance.now() - started) };
};

/** Returns one line per region: `us-east MISS 412 ms → HIT 3 ms`. */
export async function pictureThroughEveryEdge(
  edges: readonly PublishedEdge[],
  picture: string,
): Promise<string[]> {
  assert.match(picture, /^\/media\/.+\.webp(\?w=\d+)?$/, `not a WebP media path: ${picture}`);
  const lines: string[] = [];
  let bytes: Buffer | undefined;
  for (const edge of edges) {
    const miss = await timed(`${edge.url}${picture}`);
    const hit = await timed(`${edge.url}${picture}`);
    for (const [what, r] of [
      ['first', miss],
      ['second', hit],
    ] as const) {
      assert.equal(r.res.status, 200, `${edge.region} ${what} GET ${picture}`);
      assert.equal(r.res.headers.get('content-type'), 'image/webp', `${edge.region} ${what}`);
      assert.equal(r.res.headers.get('x-edge-region'), edge.region);
      assert.match(r.res.headers.get('cache-control') ?? '', /immutable/);
    }
    assert.deepEqual(
      [miss.res.headers.get('x-cache-status'), hit.res.headers.get('x-cache-status')],
      ['MISS', 'HIT'],
      `${edge.region}: X-Cache-Status`,
    );
    assert.ok(hit.body.equals(miss.body), `${edge.region}: the HIT differs from the MISS`);
    bytes ??= miss.body;
    assert.ok(miss.body.equals(bytes), `${edge.region} serves other bytes than ${edges[0].region}`);
    lines.push(`${edge.region} MISS ${miss.ms} ms → HIT ${hit.ms} ms (${miss.body.length} B)`);
  }
  return lines;
}
