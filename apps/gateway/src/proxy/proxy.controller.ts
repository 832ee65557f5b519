import { All, Controller, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProxyService } from './proxy.service';

/**
 * Every /api path the gateway does not answer itself goes through the route table
 * (src/routes/route-table.ts); unknown paths are a 404 in the one error shape.
 */
@Controller('api')
export class ProxyController {
  constructor(private readonly proxy: ProxyService) {}

  @All('*')
  forward(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.proxy.handle(request, reply);
  }
}
