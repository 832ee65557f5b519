import type { CdnRegion } from '@sdp/topology';
import type { Scrape } from '../prometheus/metrics-text';
import type { Figure } from './replica-figures';

// What the CDN's boxes show, read from the media origin's /metrics: its CDN log collector counts
// every edge's responses by region, tier (api, media) and cache status, from the edges' syslog
// lines (nginx keeps no cache counters of its own; docs/cdn.md).

/** Cache statuses that mean the cache was looked up (BYPASS and NONE are left out of the ratio). */
const LOOKUPS = ['HIT', 'MISS', 'EXPIRED', 'STALE', 'UPDATING', 'REVALIDATED'];

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((100 * part) / whole)}` : '–');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Responses of one region's edge by cache status, for one tier (totals since the origin started). */
export function cacheCounts(scrape: Scrape, region: string, tier: 'api' | 'media'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { labels, value } of scrape.samples('cdn_edge_responses_total'))
    if (labels.region === region && labels.tier === tier)
      counts[labels.cache ?? 'NONE'] = (counts[labels.cache ?? 'NONE'] ?? 0) + value;
  return counts;
}

/** "HIT/MISS/STALE %" of the lookups (EXPIRED counts as a miss, UPDATING as stale). */
export function hitMissStale(counts: Record<string, number>): { value: string; lookups: number } {
  const lookups = LOOKUPS.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
  const hit = (counts.HIT ?? 0) + (counts.REVALIDATED ?? 0);
  const miss = (counts.MISS ?? 0) + (counts.EXPIRED ?? 0);
  const stale = (counts.STALE ?? 0) + (counts.UPDATING ?? 0);
  return {
    value:
      lookups > 0 ? `${percent(hit, lookups)}/${percent(miss, lookups)}/${percent(stale, lookups)} %` : '–',
    lookups,
  };
}

/** One region's edge box: where it is, its API HIT/MISS/STALE ratio, its media hit ratio and bytes saved. */
export function edgeFigures(
  scrape: Scrape | undefined,
  region: CdnRegion,
  requestsPerSecond?: number,
): Figure[] {
  const figures: Figure[] = [
    {
      label: 'region',
      value: region.rttMs > 0 ? `${region.region}, +${region.rttMs} ms RTT` : `${region.region} (home)`,
      source: '@sdp/topology cdn.regions (the WAN link delays every byte by half the RTT each way)',
    },
  ];
  if (!scrape) return figures;
  const api = hitMissStale(cacheCounts(scrape, region.region, 'api'));
  const media = cacheCounts(scrape, region.region, 'media');
  const mediaAll = Object.values(media).reduce((sum, n) => sum + n, 0);
  const hitRatio = scrape.samples('cdn_media_hit_ratio').find((s) => s.labels.region === region.region);
  const saved = scrape.sum('cdn_media_bytes_saved_total', (l) => l.region === region.region);
  if (requestsPerSecond !== undefined)
    figures.push({
      label: 'req/s',
      value: requestsPerSecond.toFixed(1),
      source: 'rate of cdn_edge_responses_total{region} (api + media)',
    });
  figures.push(
    {
      label: 'api HIT/MISS/STALE',
      value: api.value,
      source: `cdn_edge_responses_total{region="${region.region}",tier="api"} by cache status, of ${api.lookups} cache lookups (BYPASS left out)`,
    },
    {
      label: 'media hit ratio',
      value: mediaAll > 0 && hitRatio ? `${Math.round(100 * hitRatio.value)} %` : '–',
      source: `cdn_media_hit_ratio{region="${region.region}"} (HIT, STALE, UPDATING, REVALIDATED of ${mediaAll} responses)`,
    },
    {
      label: 'bytes saved',
      value: formatBytes(saved),
      source: `cdn_media_bytes_saved_total{region="${region.region}"}: media bytes served from the edge's copy`,
    },
  );
  return figures;
}

/** All the edges' responses (api + media) of one region: for the edge's req/s. */
export const edgeResponses = (scrape: Scrape, region: string): number =>
  scrape.sum('cdn_edge_responses_total', (l) => l.region === region);

/** The media origin's box: renditions made vs read back, bytes it sent. */
export function mediaOriginFigures(scrape: Scrape): Figure[] {
  const produced = scrape.sum('media_origin_renditions_total', (l) => l.result === 'produced');
  const stored = scrape.sum('media_origin_renditions_total', (l) => l.result === 'stored');
  return [
    {
      label: 'renditions made',
      value: String(produced),
      source: 'media_origin_renditions_total{result="produced"} (sharp, once per variant)',
    },
    {
      label: 'read from bucket',
      value: String(stored),
      source: 'media_origin_renditions_total{result="stored"}',
    },
    {
      label: 'bytes sent',
      value: formatBytes(scrape.sum('media_origin_bytes_sent_total')),
      source: 'media_origin_bytes_sent_total: what the edges and the shield did not have',
    },
  ];
}
