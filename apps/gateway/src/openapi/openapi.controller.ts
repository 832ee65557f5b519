import { Controller, Get, Header } from '@nestjs/common';
import { openApiDocument, type OpenApiDocument } from './openapi.document';

@Controller('api')
export class OpenApiController {
  @Get('openapi.json')
  @Header('Cache-Control', 'public, max-age=60')
  document(): OpenApiDocument {
    return openApiDocument;
  }
}
