import path from 'node:path';
import { zookeeper } from '@sdp/topology';
import type { ZodType } from 'zod';
import { type ComposeService, interpolate, readComposeFile, repoRoot } from './compose-file';

// The ZooKeeper lock backend in docker-compose.yml, checked against libs/topology and inventory's
// config schema: same version as the native stack, opt-in (a profile), Redlock by default.

const all = readComposeFile().services;
const envOf = (svc: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, String(v)]));
const secrets = { INTERNAL_AUTH_SECRET: 'i'.repeat(64) };

function inventorySchema(): ZodType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(repoRoot, 'apps/inventory/src/config.ts')) as {
    inventoryConfigSchema: ZodType;
  };
  return mod.inventoryConfigSchema;
}

describe('docker-compose.yml: ZooKeeper, the second lock backend', () => {
  it('runs the official image at the native stack’s version, in its own profile', () => {
    const zk = all.zookeeper;
    expect(zk.image).toBe(`zookeeper:${zookeeper.version}`);
    expect(zk.profiles).toEqual(['zookeeper']);
    const env = envOf(zk);
    expect(env.ZOO_ADMINSERVER_ENABLED).toBe('false');
    expect(env.ZOO_TICK_TIME).toBe(String(zookeeper.tickTimeMs));
    expect(env.ZOO_CFG_EXTRA).toContain(`minSessionTimeout=${2 * zookeeper.tickTimeMs}`);
  });

  it('is healthy only when it answers ruok, which its whitelist allows', () => {
    const zk = all.zookeeper;
    expect(JSON.stringify(zk.healthcheck?.test)).toContain('ruok');
    expect(envOf(zk).ZOO_4LW_COMMANDS_WHITELIST.split(',')).toContain('ruok');
    expect(zk.deploy?.resources?.limits?.memory).toBeDefined();
  });

  it('leaves inventory on Redlock unless LOCK_BACKEND says zookeeper, and both parse', () => {
    const schema = inventorySchema();
    for (const svc of [all.inventory, all['inventory-migrate']]) {
      const raw = envOf(svc);
      expect(raw.ZOOKEEPER_URL).toBe('zookeeper:2181');
      const byDefault = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(v, secrets)]));
      expect(byDefault.LOCK_BACKEND).toBe('redlock');
      expect(schema.safeParse(byDefault).success).toBe(true);
      const switched = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, interpolate(v, { ...secrets, LOCK_BACKEND: 'zookeeper' })]),
      );
      expect(switched.LOCK_BACKEND).toBe('zookeeper');
      expect(schema.safeParse(switched).success).toBe(true);
    }
  });
});
