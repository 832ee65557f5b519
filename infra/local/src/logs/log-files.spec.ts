import { logFilesOf } from './log-files';

describe('logFilesOf', () => {
  const existing = ['catalog-1.log', 'catalog-2.log', 'catalog-x.log', 'orders-1.log', 'postgres.log'];

  it('maps a service to each of its replicas, sorted', () => {
    expect(logFilesOf('catalog', '/l', [...existing].reverse())).toEqual([
      '/l/catalog-1.log',
      '/l/catalog-2.log',
    ]);
  });

  it('maps a replica or an infra server to its one file', () => {
    expect(logFilesOf('catalog-2', '/l', existing)).toEqual(['/l/catalog-2.log']);
    expect(logFilesOf('postgres', '/l', existing)).toEqual(['/l/postgres.log']);
  });

  it('finds nothing for an unknown name', () => {
    expect(logFilesOf('cat', '/l', existing)).toEqual([]);
  });
});
