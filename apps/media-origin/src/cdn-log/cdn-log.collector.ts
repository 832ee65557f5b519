import dgram from 'node:dgram';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@sdp/observability';
import { MEDIA_ORIGIN_CONFIG, type MediaOriginConfig } from '../config';

export type CdnTier = 'api' | 'media';

/** What one edge log line says about one response: a picture (/media) or an API read (/api/). */
export interface CdnLogLine {
  tier: CdnTier;
  region: string;
  cache: string;
  status: number;
  bytes: number;
}

/** Answered from the edge's copy: nothing (or only a 304's headers) crossed from the origin. */
const SERVED_FROM_CACHE = new Set(['HIT', 'STALE', 'UPDATING', 'REVALIDATED']);

/**
 * Reads one syslog datagram from an edge (`access_log syslog:...` in edge.conf.template), e.g.
 * `<190>Dec  3 08:40:00 cdn_media: tier=media region=us-east cache=HIT status=200 bytes=1366`
 * (a line without `tier=` is a picture's: the format before the API tier was logged).
 */
export function parseCdnLogLine(datagram: string): CdnLogLine | undefined {
  const fields = Object.fromEntries(
    [...datagram.matchAll(/(\w+)=(\S*)/g)].map(([, name, value]) => [name, value] as const),
  );
  const status = Number(fields.status);
  const bytes = Number(fields.bytes);
  const tier = (fields.tier ?? 'media') as CdnTier;
  if (
    !/^[a-z0-9-]{1,32}$/.test(fields.region ?? '') ||
    (tier !== 'api' && tier !== 'media') ||
    !Number.isInteger(status) ||
    !Number.isInteger(bytes)
  )
    return undefined;
  return {
    tier,
    region: fields.region,
    cache: /^[A-Z]{1,12}$/.test(fields.cache) ? fields.cache : 'NONE',
    status,
    bytes,
  };
}

/**
 * The CDN's real-time logs: every edge sends one UDP syslog line per /media and per cached /api/
 * response here, and this turns them into Prometheus metrics on the origin's /metrics: responses by
 * region, tier and cache status (the edges' HIT/MISS/STALE ratio), and for pictures the hit ratio
 * per region and the bytes the edges served from their own copies (bytes the origin did not send).
 */
@Injectable()
export class CdnLogCollector implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CdnLogCollector.name);
  private socket?: dgram.Socket;
  private readonly responses;
  private readonly requests;
  private readonly bytes;
  private readonly saved;
  private readonly totals = new Map<string, { hits: number; all: number }>();

  constructor(
    @Inject(MEDIA_ORIGIN_CONFIG) private readonly config: MediaOriginConfig,
    metrics: MetricsService,
  ) {
    this.responses = metrics.counter(
      'cdn_edge_responses_total',
      'Responses of the edges by region, tier (api: cached /api/ locations, media: /media) and cache status (X-Cache-Status; NONE when the cache was not involved).',
      ['region', 'tier', 'cache'],
    );
    this.requests = metrics.counter(
      'cdn_media_requests_total',
      'Media responses of the edges, by region and cache status.',
      ['region', 'cache'],
    );
    this.bytes = metrics.counter(
      'cdn_media_bytes_total',
      'Media body bytes the edges sent, by region and cache status.',
      ['region', 'cache'],
    );
    this.saved = metrics.counter(
      'cdn_media_bytes_saved_total',
      'Media body bytes the edges served from their cache (HIT, STALE, UPDATING, REVALIDATED): not fetched from the origin side.',
      ['region'],
    );
    metrics.gauge(
      'cdn_media_hit_ratio',
      'Share of media responses served from the edge cache, per region.',
      ['region'],
      (gauge) => {
        for (const [region, { hits, all }] of this.totals) gauge.set({ region }, all === 0 ? 0 : hits / all);
      },
    );
  }

  record(line: CdnLogLine): void {
    this.responses.inc({ region: line.region, tier: line.tier, cache: line.cache });
    if (line.tier !== 'media') return;
    this.requests.inc({ region: line.region, cache: line.cache });
    this.bytes.inc({ region: line.region, cache: line.cache }, line.bytes);
    const fromCache = SERVED_FROM_CACHE.has(line.cache);
    if (fromCache) this.saved.inc({ region: line.region }, line.bytes);
    const total = this.totals.get(line.region) ?? { hits: 0, all: 0 };
    total.all++;
    if (fromCache) total.hits++;
    this.totals.set(line.region, total);
  }

  async onModuleInit(): Promise<void> {
    const port = this.config.CDN_LOG_UDP_PORT;
    if (port === undefined) return;
    const socket = dgram.createSocket('udp4');
    socket.on('message', (message) => {
      const line = parseCdnLogLine(message.toString('utf8'));
      if (line) this.record(line);
    });
    socket.on('error', (error) => this.logger.warn(`cdn log socket: ${error.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.config.HOST, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    this.logger.log(`cdn log collector on udp ${this.config.HOST}:${port}`);
  }

  onModuleDestroy(): void {
    this.socket?.close();
  }
}
