import { cdn } from '@sdp/topology';
import { parseScrape } from '../prometheus/metrics-text';
import { edgeFigures, hitMissStale, mediaOriginFigures } from './cdn-figures';
import { diagramShape } from './diagram';

// What the media origin's collector exports (apps/media-origin/src/cdn-log), as prom-client writes it.
const metrics = `# HELP cdn_edge_responses_total Responses of the edges.
# TYPE cdn_edge_responses_total counter
cdn_edge_responses_total{region="us-east",tier="api",cache="HIT"} 6
cdn_edge_responses_total{region="us-east",tier="api",cache="MISS"} 3
cdn_edge_responses_total{region="us-east",tier="api",cache="STALE"} 1
cdn_edge_responses_total{region="us-east",tier="api",cache="BYPASS"} 40
cdn_edge_responses_total{region="us-east",tier="media",cache="HIT"} 3
cdn_edge_responses_total{region="us-east",tier="media",cache="MISS"} 1
cdn_edge_responses_total{region="eu-west",tier="api",cache="MISS"} 2
# HELP cdn_media_hit_ratio Share.
# TYPE cdn_media_hit_ratio gauge
cdn_media_hit_ratio{region="us-east"} 0.75
# HELP cdn_media_bytes_saved_total Saved.
# TYPE cdn_media_bytes_saved_total counter
cdn_media_bytes_saved_total{region="us-east"} 4300
# HELP media_origin_renditions_total Renditions.
# TYPE media_origin_renditions_total counter
media_origin_renditions_total{result="produced"} 4
media_origin_renditions_total{result="stored"} 9
# HELP media_origin_bytes_sent_total Bytes.
# TYPE media_origin_bytes_sent_total counter
media_origin_bytes_sent_total 20480
`;

const value = (figures: { label: string; value: string }[], label: string) =>
  figures.find((f) => f.label === label)?.value;

describe('CDN figures', () => {
  const scrape = parseScrape(metrics);
  const usEast = cdn.regions.find((r) => r.region === 'us-east')!;

  it('shows an edge’s API HIT/MISS/STALE ratio of its cache lookups, its media hit ratio and bytes saved', () => {
    const figures = edgeFigures(scrape, usEast, 2.5);
    expect(value(figures, 'region')).toBe('us-east, +80 ms RTT');
    expect(value(figures, 'req/s')).toBe('2.5');
    // 10 lookups (the 40 BYPASS are personal or non-GET: the cache was not asked).
    expect(value(figures, 'api HIT/MISS/STALE')).toBe('60/30/10 %');
    expect(value(figures, 'media hit ratio')).toBe('75 %');
    expect(value(figures, 'bytes saved')).toBe('4.2 KiB');
    expect(value(edgeFigures(scrape, cdn.regions[2]), 'api HIT/MISS/STALE')).toBe('–');
    expect(hitMissStale({ EXPIRED: 1, UPDATING: 1, REVALIDATED: 2 }).value).toBe('50/25/25 %');
  });

  it('shows the media origin’s renditions and the bytes it still had to send', () => {
    const figures = mediaOriginFigures(scrape);
    expect(value(figures, 'renditions made')).toBe('4');
    expect(value(figures, 'read from bucket')).toBe('9');
    expect(value(figures, 'bytes sent')).toBe('20.0 KiB');
  });

  it('draws the topology’s CDN (every region’s edge, the shield, the media origin) only when the stack runs it', () => {
    const without = diagramShape(undefined, {}, false).nodes.map((n) => n.id);
    expect(without).not.toContain(cdn.shield.name);
    const { nodes, edges } = diagramShape(undefined, {}, true);
    const ids = nodes.map((n) => n.id);
    for (const region of cdn.regions) {
      expect(ids).toContain(region.edge);
      expect(edges).toContainEqual({ from: region.edge, to: cdn.shield.name });
    }
    expect(ids.filter((id) => id === 'edge')).toHaveLength(1);
    expect(edges).toContainEqual({ from: cdn.shield.name, to: cdn.mediaOrigin.name });
    expect(nodes.find((n) => n.id === cdn.mediaOrigin.name)).toMatchObject({
      kind: 'storage',
      doc: 'docs/cdn.md',
      code: 'apps/media-origin/src',
    });
  });
});
