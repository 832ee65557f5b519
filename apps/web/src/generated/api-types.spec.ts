import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('generated API types', () => {
  it('are what openapi-typescript makes of the committed document (else: pnpm --filter @sdp/web generate:api)', () => {
    const run = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), join(__dirname, 'generate-api-types.ts'), '--check'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
