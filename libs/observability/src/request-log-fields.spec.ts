import { stdSerializers } from 'pino';
import { requestLogFields } from './observability.module';

describe(requestLogFields.name, () => {
  it('keeps what identifies the request and drops every header, secrets included', () => {
    const raw = {
      id: 'req-7',
      method: 'POST',
      url: '/checkout?x=1',
      headers: { authorization: 'Bearer secret-token', cookie: 'sid=abc', 'user-agent': 'k6' },
      socket: { remoteAddress: '10.0.0.9', remotePort: 4242 },
    };
    const fields = requestLogFields(stdSerializers.req(raw as never));
    expect(fields).toEqual({ id: 'req-7', method: 'POST', url: '/checkout?x=1', remoteAddress: '10.0.0.9' });
    expect(JSON.stringify(fields)).not.toMatch(/secret-token|sid=abc/);
  });

  it('masks the access token the event stream carries in its query', () => {
    const raw = {
      method: 'GET',
      url: '/api/notifications/stream?x=1&access_token=eyJ.secret.sig&y=2',
      headers: {},
    };
    const fields = requestLogFields(stdSerializers.req(raw as never));
    expect(fields.url).toBe('/api/notifications/stream?x=1&access_token=[redacted]&y=2');
  });
});
