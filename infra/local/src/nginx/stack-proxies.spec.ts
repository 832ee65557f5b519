import { replicasOf } from '../replicas';
import { upstreamsOf } from './stack-proxies';

describe('upstreamsOf', () => {
  it('groups replica addresses by service, in topology order', () => {
    const replicas = replicasOf(
      [
        { name: 'gateway', basePort: 3000, replicas: 2, schema: 'gateway' },
        { name: 'catalog', basePort: 3100, replicas: 2, schema: 'catalog' },
      ],
      { repoRoot: '/r', infraEnv: {} },
    );
    const offset = Number(process.env.SDP_PORT_OFFSET ?? 0);
    expect(upstreamsOf(replicas)).toEqual({
      gateway: [`127.0.0.1:${3000 + offset}`, `127.0.0.1:${3001 + offset}`],
      catalog: [`127.0.0.1:${3100 + offset}`, `127.0.0.1:${3101 + offset}`],
    });
  });
});
