import { Inject, Injectable } from '@nestjs/common';
import { cdn } from '@sdp/topology';
import { CONTROL_CONFIG, type ControlConfig } from '../config';
import { parseScrape, type Scrape } from '../prometheus/metrics-text';
import { edgeFigures, edgeResponses, mediaOriginFigures } from './cdn-figures';
import type { ServerReading } from './server-probes';

// The CDN's nodes (libs/topology cdn.ts): every region's edge and the shield answer their
// /nginx-health; the media origin's /metrics holds the figures of all of them (its log collector
// counts the edges' responses). Without CDN_EDGE_URLS there is nothing to read.

@Injectable()
export class CdnProbes {
  private previous: { at: number; responses: Record<string, number> } | undefined;

  constructor(@Inject(CONTROL_CONFIG) private readonly config: ControlConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.CDN_EDGE_URLS);
  }

  /** Each region's edge URL, by region name (topology order). */
  edgeUrls(): Map<string, string> {
    const urls = this.config.CDN_EDGE_URLS ?? [];
    return new Map(cdn.regions.map((r, i) => [r.region, urls[i]]));
  }

  async readAll(): Promise<ServerReading[]> {
    if (!this.config.CDN_EDGE_URLS) return [];
    const [scrape, shieldUp, ...edgesUp] = await Promise.all([
      this.scrapeOrigin(),
      this.healthy(this.config.CDN_SHIELD_URL!),
      ...this.config.CDN_EDGE_URLS.map((url) => this.healthy(url)),
    ]);
    const rates = this.rates(scrape);
    return [
      ...cdn.regions.map((region, i) => ({
        id: region.edge,
        up: edgesUp[i],
        figures: edgeFigures(scrape, region, rates?.[region.region]),
      })),
      { id: cdn.shield.name, up: shieldUp, figures: [] },
      {
        id: cdn.mediaOrigin.name,
        up: scrape !== undefined,
        figures: scrape ? mediaOriginFigures(scrape) : [],
      },
    ];
  }

  private rates(scrape: Scrape | undefined): Record<string, number> | undefined {
    if (!scrape) {
      this.previous = undefined;
      return undefined;
    }
    const now = Date.now();
    const responses = Object.fromEntries(cdn.regions.map((r) => [r.region, edgeResponses(scrape, r.region)]));
    const before = this.previous;
    this.previous = { at: now, responses };
    if (!before) return undefined;
    const seconds = Math.max(0.001, (now - before.at) / 1000);
    return Object.fromEntries(
      Object.entries(responses).map(([region, total]) => [
        region,
        Math.max(0, total - (before.responses[region] ?? 0)) / seconds,
      ]),
    );
  }

  private async scrapeOrigin(): Promise<Scrape | undefined> {
    try {
      const response = await fetch(`${this.config.MEDIA_ORIGIN_URL}/metrics`, {
        signal: AbortSignal.timeout(this.config.SCRAPE_TIMEOUT_MS),
      });
      return response.ok ? parseScrape(await response.text()) : undefined;
    } catch {
      return undefined;
    }
  }

  private async healthy(url: string): Promise<boolean> {
    try {
      const response = await fetch(`${url}/nginx-health`, {
        signal: AbortSignal.timeout(this.config.SCRAPE_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }
}
