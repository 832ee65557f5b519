import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The secret the services share to verify gateway-signed identities. From INTERNAL_AUTH_SECRET if
 * set; otherwise generated once per checkout into .infra/ (git-ignored, owner-only), so it is never
 * committed and stays stable across restarts of the local stack.
 */
export function internalAuthSecret(infraRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.INTERNAL_AUTH_SECRET) return env.INTERNAL_AUTH_SECRET;
  const file = path.join(infraRoot, 'internal-auth-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(infraRoot, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
