import { Controller, Get } from '@nestjs/common';
import { buildOpenApiDocument, documentRoute } from './openapi.js';

documentRoute({ method: 'get', path: '/api/openapi.json', tag: 'operations', public: true, summary: 'This document: OpenAPI 3.1, generated from the zod schemas the API validates with' });

@Controller('api')
export class OpenApiController {
  private document: object | undefined;

  /** OpenAPI 3.1, generated from the zod schemas the controllers validate with. */
  @Get('openapi.json')
  openapi(): object {
    // Built on first request: every controller module has registered its routes by then.
    return (this.document ??= buildOpenApiDocument(process.env.npm_package_version ?? '0.1.0'));
  }
}
