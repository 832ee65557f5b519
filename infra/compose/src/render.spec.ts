import fs from 'node:fs';
import path from 'node:path';
import { services } from '@sdp/topology';
import { REFRESH_TOKEN_MARKER, renderAll, renderedDir } from './render';

describe('nginx configs for compose', () => {
  it.each(Object.keys(renderAll()))(
    'infra/compose/nginx/%s is up to date with infra/nginx (run pnpm compose:render)',
    (name) => {
      const committed = fs.readFileSync(path.join(renderedDir, name), 'utf8');
      expect(committed).toBe(renderAll()[name]);
    },
  );

  it('the lb balances every non-gateway service by its compose name (one A record per replica)', () => {
    const conf = renderAll()['lb.conf'];
    for (const spec of services.filter((s) => s.name !== 'gateway')) {
      expect(conf).toContain(`upstream ${spec.name} {`);
      expect(conf).toContain(`server ${spec.name}:${spec.basePort} max_fails=2 fail_timeout=5s;`);
    }
    expect(conf).not.toMatch(/127\.0\.0\.1:3\d{3}/);
  });

  it('the edge reaches the gateways by name, serves the built storefront and leaves the refresh token to envsubst', () => {
    const conf = renderAll()['edge.conf.template'];
    expect(conf).toContain('server gateway:3000 max_fails=2 fail_timeout=5s;');
    expect(conf).toContain('root /usr/share/nginx/html;');
    expect(conf).not.toContain(REFRESH_TOKEN_MARKER);
    // The only ${...} in the file: nginx's own variables are written $name, never ${NAME}.
    expect(conf.match(/\$\{\w+\}/g)).toEqual(['${EDGE_REFRESH_TOKEN}']);
  });
});
