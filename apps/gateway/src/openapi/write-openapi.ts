import { writeFileSync } from 'node:fs';
import { openApiDocument } from './openapi.document';

// Writes the OpenAPI document to a JSON file: the storefront's copy, from which its types are
// generated (`pnpm --filter @sdp/web generate:api`; openapi.spec.ts fails when the copy is stale).

/** The document as the file holds it. */
export const openApiJson = (): string => `${JSON.stringify(openApiDocument, null, 2)}\n`;

if (require.main === module) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: write-openapi.ts <file.json>');
  writeFileSync(file, openApiJson());
}
