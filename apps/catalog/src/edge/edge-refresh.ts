import { Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@sdp/observability';
import { CATALOG_CONFIG } from '../config';
import { EDGE_REFRESH_CONFIG, edgeRefreshSettings, type EdgeRefreshConfig } from './edge-refresh.config';

const TIMEOUT_MS = 5_000;

/**
 * Invalidation at the CDN edge, for product.updated (ProductChangesConsumer, after the Redis entry
 * holds the committed row) and stock.changed (AvailabilityService). It asks the edge to refetch the
 * product through the normal public path (edge -> gateway -> lb -> catalog), so the entry that
 * replaces the old one is exactly what clients get; and refreshes one listing URL, which bumps the
 * edge's catalog version so every cached listing and best-seller page is fetched anew. A failed
 * refresh is logged and counted, not retried: the edge TTL (s-maxage) bounds how long the old copy
 * can live.
 */
@Injectable()
export class EdgeRefresher implements OnModuleInit {
  private readonly logger = new Logger(EdgeRefresher.name);
  private readonly refreshes;

  constructor(
    @Inject(EDGE_REFRESH_CONFIG) private readonly config: EdgeRefreshConfig,
    metrics: MetricsService,
  ) {
    this.refreshes = metrics.counter(
      'catalog_edge_refresh_total',
      'Edge cache refresh requests sent on product.updated, by result.',
      ['result'],
    );
  }

  onModuleInit(): void {
    if (this.config.edgeUrls.length === 0)
      this.logger.log('edge refresh disabled: neither EDGE_URL nor EDGE_URLS is set');
  }

  /**
   * Refetches one product and one listing through every edge, all regions at once (also used on
   * stock.changed): a far region's refresh takes its WAN round trips, the others do not wait for it.
   */
  async refreshProduct(id: number, requestId: string | undefined): Promise<void> {
    await Promise.all(
      this.config.edgeUrls.flatMap((edge) => [
        this.refresh(edge, `/api/products/${id}`, requestId),
        this.refresh(edge, '/api/products', requestId),
      ]),
    );
  }

  private async refresh(edge: string, path: string, requestId: string | undefined): Promise<void> {
    const target = `${edge}${path}`;
    try {
      const res = await fetch(target, {
        headers: {
          'x-cache-refresh': this.config.token,
          ...(requestId ? { 'x-request-id': requestId } : {}),
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer(); // drain so the connection is reused
      const ok = res.status < 500;
      this.refreshes.inc({ result: ok ? 'ok' : 'failed' });
      if (!ok) this.logger.warn(`edge refresh ${target} answered ${res.status}`);
      else this.logger.debug(`edge refresh ${target}: ${res.status} ${res.headers.get('x-cache-status')}`);
    } catch (error) {
      this.refreshes.inc({ result: 'failed' });
      this.logger.warn(
        `edge refresh ${target} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

@Module({
  providers: [
    { provide: EDGE_REFRESH_CONFIG, inject: [CATALOG_CONFIG], useFactory: edgeRefreshSettings },
    EdgeRefresher,
  ],
  exports: [EdgeRefresher],
})
export class EdgeRefreshModule {}
