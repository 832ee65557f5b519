// `pnpm infra:*` runs this package from source with tsx, before anything is built. Workspace libs
// point `main` at dist/, so map `@sdp/<lib>` to libs/<lib>/src (as jest.preset.js does) when the
// lib has no dist yet. Imported first by cli.ts.
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');

type Resolve = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
const original = mod._resolveFilename;

mod._resolveFilename = function (request: string, ...rest: unknown[]): string {
  const match = /^@sdp\/([a-z-]+)$/.exec(request);
  if (match) {
    const lib = path.join(repoRoot, 'libs', match[1]);
    if (!fs.existsSync(path.join(lib, 'dist/index.js')) && fs.existsSync(path.join(lib, 'src/index.ts'))) {
      return original.call(this, path.join(lib, 'src/index.ts'), ...rest);
    }
  }
  return original.call(this, request, ...rest);
};
