import { createLockService, lockOptionsFromConfig } from './lock.module';
import { RedlockLockService } from './redlock.service';
import { ZooKeeperLockService } from './zookeeper.service';

describe('createLockService', () => {
  const services: { drain(ms: number): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.drain(10)));
  });

  it('builds Redlock by default, over one client per lock node', () => {
    const locks = createLockService({
      name: 't',
      urls: ['redis://127.0.0.1:1', 'redis://127.0.0.1:2', 'redis://127.0.0.1:3'],
    });
    services.push(locks);
    expect(locks).toBeInstanceOf(RedlockLockService);
    expect(locks.backend).toBe('redlock');
    expect((locks as RedlockLockService).quorum).toBe(2);
  });

  it('builds the ZooKeeper backend when asked, without connecting before the first lock', () => {
    const locks = createLockService({ name: 't', backend: 'zookeeper', zookeeper: { url: '127.0.0.1:1' } });
    services.push(locks);
    expect(locks).toBeInstanceOf(ZooKeeperLockService);
    expect((locks as ZooKeeperLockService).sessionId()).toBeUndefined();
  });

  it('names the setting a backend is missing', () => {
    expect(() => createLockService({ name: 't' })).toThrow(/REDIS_LOCK_URLS/);
    expect(() => createLockService({ name: 't', backend: 'zookeeper', urls: ['redis://x:1'] })).toThrow(
      /ZOOKEEPER_URL/,
    );
  });
});

describe('lockOptionsFromConfig', () => {
  it('maps the validated env to module options', () => {
    expect(
      lockOptionsFromConfig(
        {
          LOCK_BACKEND: 'zookeeper',
          ZOOKEEPER_URL: 'zk:2181',
          ZOOKEEPER_SESSION_TIMEOUT_MS: 3_000,
          REDIS_LOCK_URLS: ['redis://a:1'],
        },
        'inventory-1',
      ),
    ).toEqual({
      backend: 'zookeeper',
      urls: ['redis://a:1'],
      zookeeper: { url: 'zk:2181', sessionTimeoutMs: 3_000 },
      name: 'inventory-1',
    });
    expect(
      lockOptionsFromConfig({ LOCK_BACKEND: 'redlock', ZOOKEEPER_SESSION_TIMEOUT_MS: 5_000 }, 'x').zookeeper,
    ).toBeUndefined();
  });
});
