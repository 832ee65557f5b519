import { resolveRequestId } from './request-id';

describe(resolveRequestId.name, () => {
  it('keeps a safe caller-supplied id', () => {
    expect(resolveRequestId('abc-123_x.y:z')).toBe('abc-123_x.y:z');
    expect(resolveRequestId(['first', 'second'])).toBe('first');
  });

  it('replaces a missing, oversized or unsafe id with a fresh uuid', () => {
    for (const bad of [undefined, '', 'has space', 'x'.repeat(129), 'line\nbreak']) {
      expect(resolveRequestId(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
