import { Controller, Get, Header } from '@nestjs/common';
import { openApiDocument } from './openapi.document';

@Controller('api')
export class OpenApiController {
  @Get('openapi.json')
  @Header('Cache-Control', 'public, max-age=60')
  document(): typeof openApiDocument {
    return openApiDocument;
  }
}
