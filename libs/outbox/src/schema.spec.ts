import { outboxTablesSql } from './schema';

describe(outboxTablesSql.name, () => {
  it('creates the outbox and the inbox in the service schema', () => {
    const sql = outboxTablesSql('orders').join('\n');
    expect(sql).toContain('CREATE TABLE "orders".outbox');
    expect(sql).toContain('CREATE TABLE "orders".processed_messages');
    expect(sql).toMatch(/PRIMARY KEY \(consumer, event_id\)/);
    expect(sql).toMatch(/WHERE published_at IS NULL/);
  });
});
