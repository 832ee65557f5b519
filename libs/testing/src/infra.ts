import { localInfraEnv } from '@sdp/topology';

/**
 * Where the running infrastructure is: the local runner's ports by default, overridable by the
 * same env variables the services read (so the tests can point at another stack).
 */
export function testInfraEnv(): Record<string, string> {
  const defaults = localInfraEnv();
  return Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, process.env[key] ?? value]));
}
