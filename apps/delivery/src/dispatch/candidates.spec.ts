import { candidateCouriers } from './candidates';

describe(candidateCouriers.name, () => {
  it('returns every free courier exactly once, duplicates dropped', () => {
    const free = ['courier-03', 'courier-01', 'courier-02', 'courier-01'];
    const order = candidateCouriers(free);
    expect([...order].sort()).toEqual(['courier-01', 'courier-02', 'courier-03']);
  });

  it('gives different dispatchers different starting couriers', () => {
    const free = Array.from({ length: 20 }, (_, i) => `courier-${String(i + 1).padStart(2, '0')}`);
    const firsts = new Set(Array.from({ length: 50 }, () => candidateCouriers(free)[0]));
    // 50 draws from 20 couriers: a fixed order would give one first courier; a fair shuffle many.
    expect(firsts.size).toBeGreaterThan(5);
  });

  it('follows the random source (a deterministic permutation for a fixed source)', () => {
    const free = ['a', 'b', 'c', 'd'];
    expect(candidateCouriers(free, () => 0)).toEqual(['b', 'c', 'd', 'a']);
    expect(candidateCouriers(free, () => 0.999)).toEqual(['a', 'b', 'c', 'd']);
    expect(candidateCouriers([], () => 0)).toEqual([]);
  });
});
