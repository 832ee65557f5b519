import { Controller, Get, Header } from '@nestjs/common';
import type { OpenApiDocument } from './openapi.document';

@Controller('api')
export class OpenApiController {
  /**
   * Built on the first request, not at boot: the zod schemas behind it cost a gateway about 10 MB
   * of memory that most gateways (and every compose replica under its 136 MiB limit) never need.
   */
  @Get('openapi.json')
  @Header('Cache-Control', 'public, max-age=60')
  async document(): Promise<OpenApiDocument> {
    return (await import('./openapi.document')).openApiDocument;
  }
}
