import { DEFAULT_LOCK_PREFIX, lockKey, lockOrder } from './keys';

describe(lockOrder.name, () => {
  it('deduplicates and sorts by code unit, whatever order the caller gave', () => {
    expect(lockOrder(['stock:SKU-2', 'stock:SKU-10', 'stock:SKU-2', 'stock:SKU-1'])).toEqual([
      'stock:SKU-1',
      'stock:SKU-10',
      'stock:SKU-2',
    ]);
    expect(lockOrder(['b', 'a'])).toEqual(lockOrder(['a', 'b']));
  });

  it('does not depend on locale collation (uppercase sorts before lowercase)', () => {
    expect(lockOrder(['a', 'B', 'A', 'b'])).toEqual(['A', 'B', 'a', 'b']);
  });
});

describe(lockKey.name, () => {
  it('puts every lock under its own prefix, apart from data keys', () => {
    expect(DEFAULT_LOCK_PREFIX).toBe('lock:');
    expect(lockKey(DEFAULT_LOCK_PREFIX, 'stock:SKU-000001')).toBe('lock:stock:SKU-000001');
    expect(lockKey('t1:lock:', 'cron:sweeper')).toBe('t1:lock:cron:sweeper');
  });

  it('refuses resources with spaces, wildcards or nothing at all', () => {
    for (const bad of ['', 'a b', 'stock:*', 'x'.repeat(201)]) {
      expect(() => lockKey('lock:', bad)).toThrow(/invalid lock resource/);
    }
  });
});
