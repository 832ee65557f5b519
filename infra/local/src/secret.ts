import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The local stack's secrets. Each comes from its environment variable if set; otherwise it is
 * generated once per checkout into .infra/ (git-ignored, owner-only), so it is never committed and
 * stays stable across restarts (tokens and logins survive a `pnpm stack` restart).
 */
export const stackSecretNames = [
  'INTERNAL_AUTH_SECRET',
  'JWT_SECRET',
  'DEMO_PASSWORD',
  'RUNNER_CONTROL_SECRET',
] as const;
export type StackSecretName = (typeof stackSecretNames)[number];

const generators: Record<StackSecretName, () => string> = {
  INTERNAL_AUTH_SECRET: () => randomBytes(32).toString('hex'),
  JWT_SECRET: () => randomBytes(32).toString('hex'),
  // The runner's control channel (control-channel.ts): only the control service gets it.
  RUNNER_CONTROL_SECRET: () => randomBytes(32).toString('hex'),
  // Typed by people at the login form: short and readable, still random per checkout.
  DEMO_PASSWORD: () => `demo-${randomBytes(5).toString('hex')}`,
};

export function stackSecret(
  name: StackSecretName,
  infraRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const fromEnv = env[name];
  if (fromEnv) return fromEnv;
  const file = path.join(infraRoot, name.toLowerCase().replace(/_/g, '-'));
  if (!fs.existsSync(file)) {
    fs.mkdirSync(infraRoot, { recursive: true });
    fs.writeFileSync(file, generators[name](), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export const internalAuthSecret = (infraRoot: string, env: NodeJS.ProcessEnv = process.env): string =>
  stackSecret('INTERNAL_AUTH_SECRET', infraRoot, env);
