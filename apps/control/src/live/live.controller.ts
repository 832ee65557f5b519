import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { RequireIdentity } from '@sdp/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LiveFeed, type LiveFrame } from './live-feed';

@Controller()
@RequireIdentity('admin')
export class LiveController {
  constructor(private readonly feed: LiveFeed) {}

  /** One frame now: the diagram with its figures, and the scenario run in flight. */
  @Get('snapshot')
  @Header('Cache-Control', 'no-store')
  snapshot(): Promise<LiveFrame> {
    return this.feed.now();
  }

  /** The same frame about once a second, over Server-Sent Events. */
  @Get('stream')
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.feed.stream(request, reply);
  }
}
