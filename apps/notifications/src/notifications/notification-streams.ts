import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { MetricsService, OBSERVABILITY_OPTIONS, type ObservabilityOptions } from '@sdp/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Gauge } from 'prom-client';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config';
import type { NotificationView } from './notification';
import { NotificationFanout } from './notification-fanout';
import { NotificationsRepository } from './notifications.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A client this far behind (unsent bytes) is cut off; it reconnects and catches up by Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long a browser's EventSource waits before reconnecting. */
const RECONNECT_MS = 3_000;

/** One SSE frame: `id`, `event` and one `data` line of JSON (JSON never contains a raw newline). */
export const sseFrame = (n: NotificationView): string =>
  `id: ${n.id}\nevent: ${n.type}\ndata: ${JSON.stringify({ ...n.data, notificationId: n.id, createdAt: n.createdAt })}\n\n`;

/**
 * Server-Sent Events, written straight to Fastify's raw response (the reply is hijacked, so Nest
 * and Fastify leave it alone). Each stream: headers, an opening comment, the replay of what the
 * client missed (Last-Event-ID), then live notifications from the fan-out and a heartbeat comment.
 * Streams end when the client goes away, when it falls too far behind, and before the app closes
 * its HTTP server (otherwise shutdown would wait for every open stream).
 */
@Injectable()
export class NotificationStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationStreams.name);
  private readonly open = new Set<() => void>();
  private readonly connections: Gauge;
  private readonly sent;

  constructor(
    private readonly fanout: NotificationFanout,
    private readonly repository: NotificationsRepository,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
    @Inject(OBSERVABILITY_OPTIONS) private readonly observability: ObservabilityOptions,
    metrics: MetricsService,
  ) {
    this.connections = metrics.gauge('sse_connections', 'Open SSE notification streams on this replica.');
    this.sent = metrics.counter(
      'sse_events_sent_total',
      'Notifications written to SSE streams, by source (live push or Last-Event-ID replay).',
      ['source'],
    );
  }

  async stream(
    userId: string,
    lastEventId: string | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    // Until the replay is written, live notifications wait here (in order).
    const pending: NotificationView[] = [];
    let send: (n: NotificationView, source: 'live' | 'replay') => void = (n) => void pending.push(n);
    let unsubscribe: () => void;
    try {
      // Subscribe before reading the table, so nothing stored in between is missed.
      unsubscribe = await this.fanout.subscribe(userId, (n) => send(n, 'live'));
    } catch (error) {
      this.logger.warn(`cannot subscribe for ${userId}: ${String(error)}`);
      throw new ServiceUnavailableException('live notifications are unavailable (cache node unreachable)');
    }

    reply.hijack();
    const raw: ServerResponse = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: pass events through instead of buffering them
      'x-request-id': String(request.id),
      'x-instance-id': this.observability.instanceId,
    });
    raw.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);

    const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), this.config.SSE_HEARTBEAT_MS);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(close);
      this.connections.dec();
      raw.end();
    };
    this.open.add(close);
    this.connections.inc();
    raw.on('close', close);

    const write = (n: NotificationView, source: 'live' | 'replay') => {
      if (closed) return;
      raw.write(sseFrame(n));
      this.sent.inc({ source });
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        this.logger.warn(`closing a stream of ${userId}: client too slow`);
        close();
      }
    };

    const replayed = new Set<string>();
    try {
      if (lastEventId && UUID.test(lastEventId)) {
        const missed = await this.repository.after(userId, lastEventId);
        for (const n of missed ?? []) {
          replayed.add(n.id);
          write(n, 'replay');
        }
      }
    } catch (error) {
      this.logger.warn(`replay for ${userId} failed, closing the stream: ${String(error)}`);
      close(); // the client reconnects with the same Last-Event-ID
      return;
    }
    // Live notifications that arrived during the replay, minus the ones the replay already sent.
    for (const n of pending.splice(0)) if (!replayed.has(n.id)) write(n, 'live');
    send = write;
  }

  beforeApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}
