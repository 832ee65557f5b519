import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { internalAuthSecret } from './secret';

describe(internalAuthSecret.name, () => {
  it('generates a 64-hex-character secret once, owner-only, and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-'));
    const first = internalAuthSecret(dir, {});
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(internalAuthSecret(dir, {})).toBe(first);
    expect(fs.statSync(path.join(dir, 'internal-auth-secret')).mode & 0o777).toBe(0o600);
  });

  it('prefers INTERNAL_AUTH_SECRET from the environment', () => {
    expect(internalAuthSecret('/nonexistent', { INTERNAL_AUTH_SECRET: 'from-env' })).toBe('from-env');
  });
});
