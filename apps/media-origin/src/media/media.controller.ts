import { Controller, Get, Req, Res } from '@nestjs/common';
import { errorBody } from '@sdp/bootstrap';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MediaService } from './media.service';

/** A missing object may be cached briefly (a flood of requests for it stays at the edge); a bad request never. */
const ERROR_CACHE_CONTROL = { 400: 'no-store', 404: 'public, max-age=60' } as const;

@Controller()
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Get('media/*')
  async get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const answer = await this.media.get(
      request.url.split('?')[0],
      request.query as Record<string, unknown>,
      request.headers,
    );
    if ('message' in answer) {
      await reply
        .status(answer.status)
        .header('cache-control', ERROR_CACHE_CONTROL[answer.status])
        .send(errorBody(answer.status, answer.message, String(request.id)));
      return;
    }
    await reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}
