import { z } from 'zod';
import { createEnvelope, defineEvent, parseEnvelope } from './envelope';
import { toKafkaMessage } from './publisher';

describe('event envelope', () => {
  it('creates a valid envelope that round-trips through JSON', () => {
    const envelope = createEnvelope('order.placed', 'order-1', { total: 42 }, 'req-7');
    expect(envelope.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(envelope.occurredAt))).toBe(false);
    const parsed = parseEnvelope(Buffer.from(JSON.stringify(envelope)));
    expect(parsed).toEqual({ ok: true, envelope });
  });

  it('leaves requestId out when there is none', () => {
    expect('requestId' in createEnvelope('t', 'k', null)).toBe(false);
  });

  it('rejects bytes that are not JSON', () => {
    const parsed = parseEnvelope('not json{');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/^invalid JSON/);
  });

  it('rejects an empty value', () => {
    expect(parseEnvelope(null)).toEqual({ ok: false, reason: 'empty message value' });
  });

  it('names every invalid field', () => {
    const bad = { ...createEnvelope('t', 'k', {}), id: 'nope', occurredAt: 'yesterday', key: '' };
    const parsed = parseEnvelope(JSON.stringify(bad));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toContain('id:');
      expect(parsed.reason).toContain('occurredAt:');
      expect(parsed.reason).toContain('key:');
    }
  });

  it('rejects a JSON value that is not an object', () => {
    const parsed = parseEnvelope('[1,2]');
    expect(parsed.ok).toBe(false);
  });
});

describe('defineEvent', () => {
  const ProductUpdated = defineEvent('product.updated', z.object({ sku: z.string(), price: z.number() }));

  it('creates and validates typed events', () => {
    const envelope = ProductUpdated.create('sku-1', { sku: 'sku-1', price: 10 });
    const checked = ProductUpdated.parse(envelope);
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.envelope.data.price).toBe(10);
  });

  it('rejects another type and bad data', () => {
    expect(ProductUpdated.parse(createEnvelope('other', 'k', {})).ok).toBe(false);
    const bad = ProductUpdated.parse(createEnvelope('product.updated', 'k', { sku: 1 }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('sku');
  });
});

describe('toKafkaMessage', () => {
  it('uses the envelope key as message key and the request id as a header', () => {
    const envelope = createEnvelope('order.placed', 'order-9', { a: 1 }, 'req-1');
    const message = toKafkaMessage(envelope);
    expect(message.key).toBe('order-9');
    expect(JSON.parse(message.value as string)).toEqual(envelope);
    expect(message.headers).toEqual({ 'event-type': 'order.placed', 'request-id': 'req-1' });
  });

  it('refuses to publish an invalid envelope', () => {
    expect(() => toKafkaMessage({ ...createEnvelope('t', 'k', 1), key: '' })).toThrow(/invalid envelope/);
  });
});
