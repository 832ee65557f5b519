import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { demoMasters, mediaFormats, parseMediaRequest, type MediaFormat } from '@sdp/media';
import { MetricsService } from '@sdp/observability';
import fresh from 'fresh';
import sharp from 'sharp';
import { MEDIA_ORIGIN_CONFIG, type MediaOriginConfig } from '../config';
import { etagOf, MediaBucket } from './bucket';

export type MediaReply =
  | { status: 200 | 304; headers: Record<string, string>; body?: Buffer }
  /** No such object (404) or a request the origin does not serve (400), with the reason. */
  | { status: 400 | 404; message: string };

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The media origin: object storage plus an image resizer. A request names a master (by key and
 * content hash, or by key alone for the mutable alias), a format and a width; the rendition is made
 * from the master with sharp the first time anyone asks, stored in the bucket, and read from there
 * afterwards. Concurrent first requests for one rendition share one render.
 */
@Injectable()
export class MediaService implements OnModuleInit {
  private readonly logger = new Logger(MediaService.name);
  private readonly bucket: MediaBucket;
  private readonly rendering = new Map<string, Promise<Buffer>>();
  private readonly renditions;
  private readonly bytesSent;

  constructor(
    @Inject(MEDIA_ORIGIN_CONFIG) private readonly config: MediaOriginConfig,
    metrics: MetricsService,
  ) {
    this.bucket = new MediaBucket(config.MEDIA_BUCKET_DIR);
    this.renditions = metrics.counter(
      'media_origin_renditions_total',
      'Renditions answered by the origin: produced (rendered now with sharp) or stored (read from the bucket).',
      ['result'],
    );
    this.bytesSent = metrics.counter('media_origin_bytes_sent_total', 'Image bytes the origin sent (200s).');
  }

  /** The bucket's seed: the demo catalogue's masters, written once (the merchants' uploads). */
  async onModuleInit(): Promise<void> {
    const added = await this.bucket.upload(demoMasters());
    this.logger.log(`bucket ${this.config.MEDIA_BUCKET_DIR}: ${added} master(s) uploaded`);
  }

  async get(
    pathname: string,
    query: Record<string, unknown>,
    requestHeaders: Record<string, string | string[] | undefined>,
  ): Promise<MediaReply> {
    const parsed = parseMediaRequest(pathname, query);
    if (!parsed.ok) return { status: parsed.status, message: parsed.message };
    const { key, format, width } = parsed.request;
    const hash = parsed.request.hash ?? (await this.bucket.currentHash(key));
    const master = hash === undefined ? undefined : await this.bucket.readMaster(key, hash);
    if (!master || !hash) return { status: 404, message: `no media object at ${pathname}` };

    const file = this.bucket.rendition(key, hash, width, format);
    let body = await this.bucket.readRendition(file);
    let result: 'stored' | 'produced' = 'stored';
    if (!body) {
      body = await this.renderOnce(file, master, width, format);
      result = 'produced';
    }
    this.renditions.inc({ result });
    const etag = etagOf(body);
    const headers: Record<string, string> = {
      'content-type': mediaFormats[format],
      etag,
      'cache-control': parsed.request.hash
        ? IMMUTABLE
        : `public, max-age=${this.config.MEDIA_ALIAS_MAX_AGE_SECONDS}, stale-if-error=86400`,
      'x-media-rendition': result,
      'x-media-version': hash,
      vary: 'Accept-Encoding',
    };
    if (fresh({ 'if-none-match': requestHeaders['if-none-match'] }, { etag }))
      return { status: 304, headers };
    this.bytesSent.inc(body.length);
    return { status: 200, headers, body };
  }

  private renderOnce(file: string, master: Buffer, width: number, format: MediaFormat): Promise<Buffer> {
    let pending = this.rendering.get(file);
    if (!pending) {
      pending = render(master, width, format)
        .then(async (body) => {
          await this.bucket.writeRendition(file, body);
          return body;
        })
        .finally(() => this.rendering.delete(file));
      this.rendering.set(file, pending);
    }
    return pending;
  }
}

function render(master: Buffer, width: number, format: MediaFormat): Promise<Buffer> {
  const image = sharp(master).resize({ width });
  return format === 'webp'
    ? image.webp({ quality: 70 }).toBuffer()
    : image.jpeg({ quality: 75, mozjpeg: true }).toBuffer();
}
