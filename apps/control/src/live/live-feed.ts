import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { Observer, type Snapshot } from '../observer/observer.service';
import type { ScenarioRun } from '../scenarios/scenario-runs.repository';
import { ScenariosService } from '../scenarios/scenarios.service';

/** What the page gets about once a second: the diagram with its figures, and the run in flight. */
export interface LiveFrame {
  snapshot: Snapshot;
  run: ScenarioRun | null;
}

/** One SSE frame (JSON never contains a raw newline). */
export const liveFrame = (frame: LiveFrame): string => `event: snapshot\ndata: ${JSON.stringify(frame)}\n\n`;

/**
 * The page's live feed over Server-Sent Events, written to Fastify's raw response (as the
 * notifications streams are). Each open stream keeps the observer's rounds going; the last one to
 * close lets it rest.
 */
@Injectable()
export class LiveFeed implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();

  constructor(
    private readonly observer: Observer,
    private readonly scenarios: ScenariosService,
  ) {}

  async now(): Promise<LiveFrame> {
    return { snapshot: await this.observer.snapshot(), run: this.scenarios.current() ?? null };
  }

  stream(request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack();
    const raw: ServerResponse = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx (lb, edge): pass frames through as they come
      'x-request-id': String(request.id),
    });
    raw.write('retry: 2000\n: connected\n\n');
    let closed = false;
    const unsubscribe = this.observer.subscribe((snapshot) => {
      if (closed) return;
      raw.write(liveFrame({ snapshot, run: this.scenarios.current() ?? null }));
      // A client this far behind is cut off; EventSource reconnects and gets the latest frame.
      if (raw.writableLength > 4 * 1024 * 1024) close();
    });
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      this.open.delete(close);
      raw.end();
    };
    this.open.add(close);
    raw.on('close', close);
  }

  beforeApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}
