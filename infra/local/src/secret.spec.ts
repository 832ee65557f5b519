import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { internalAuthSecret, stackSecret } from './secret';

describe(stackSecret.name, () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'secret-'));

  it('generates a 64-hex-character secret once, owner-only, and reuses it', () => {
    const root = dir();
    const first = internalAuthSecret(root, {});
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(internalAuthSecret(root, {})).toBe(first);
    expect(fs.statSync(path.join(root, 'internal-auth-secret')).mode & 0o777).toBe(0o600);
  });

  it('keeps each secret apart and makes the demo password typeable', () => {
    const root = dir();
    expect(stackSecret('JWT_SECRET', root, {})).not.toBe(stackSecret('INTERNAL_AUTH_SECRET', root, {}));
    expect(stackSecret('DEMO_PASSWORD', root, {})).toMatch(/^demo-[0-9a-f]{10}$/);
  });

  it('prefers the environment variable', () => {
    expect(stackSecret('JWT_SECRET', '/nonexistent', { JWT_SECRET: 'from-env' })).toBe('from-env');
  });
});
