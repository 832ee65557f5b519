import { ConfigError } from '@sdp/config';
import { loadWanLinkConfig, targetOf } from './config';

describe('WAN link config', () => {
  it('reads the listener, the far side and the latency', () => {
    const config = loadWanLinkConfig({
      HOST: '0.0.0.0',
      PORT: '8094',
      WAN_TARGET: 'shield:8091',
      WAN_RTT_MS: '80',
    });
    expect(config).toEqual({ HOST: '0.0.0.0', PORT: 8094, WAN_TARGET: 'shield:8091', WAN_RTT_MS: 80 });
    expect(targetOf(config)).toEqual({ host: 'shield', port: 8091 });
  });

  it('refuses to start without a target or with a latency that is not one, naming each variable', () => {
    let error: unknown;
    try {
      loadWanLinkConfig({ PORT: '8094', WAN_RTT_MS: '-5' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/WAN_TARGET: is required/);
    expect(problems).toMatch(/WAN_RTT_MS: must be from 0 to 10000 \(got "-5"\)/);
    expect(() => loadWanLinkConfig({ PORT: '8094', WAN_TARGET: 'shield', WAN_RTT_MS: '80' })).toThrow(
      /WAN_TARGET: must be host:port/,
    );
  });
});
