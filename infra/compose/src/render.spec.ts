import fs from 'node:fs';
import path from 'node:path';
import { cdn, services } from '@sdp/topology';
import { edgeTemplateName, REFRESH_TOKEN_MARKER, renderAll, renderedDir } from './render';

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

  it.each(cdn.regions.map((r) => [r.edge, r] as const))(
    '%s serves the built storefront and leaves the refresh token to envsubst',
    (_edge, r) => {
      const conf = renderAll()[edgeTemplateName(r)];
      expect(conf).toContain(`listen ${r.edgePort};`);
      expect(conf).toContain('root /usr/share/nginx/html;');
      expect(conf).toContain(`add_header X-Edge-Region ${r.region} always;`);
      expect(conf).toContain('access_log syslog:server=media:8099,tag=cdn_media,nohostname cdn_media;');
      expect(conf).not.toContain(REFRESH_TOKEN_MARKER);
      // The only ${...} in the file: nginx's own variables are written $name, never ${NAME}.
      expect(conf.match(/\$\{\w+\}/g)).toEqual(['${EDGE_REFRESH_TOKEN}']);
    },
  );

  const upstream = (conf: string, name: string) =>
    new RegExp(`upstream ${name} \\{[^}]*\\}`).exec(conf)?.[0] ?? '';

  it('the home edge reaches the gateways and the shield directly; a far edge sends both over its WAN link', () => {
    const home = renderAll()['edge.conf.template'];
    expect(upstream(home, 'gateways')).toContain('server gateway:3000 max_fails=2 fail_timeout=5s;');
    expect(upstream(home, 'media_origin')).toContain('server shield:8091 max_fails=2 fail_timeout=5s;');
    for (const r of cdn.regions.filter((region) => region.link)) {
      const conf = renderAll()[edgeTemplateName(r)];
      const link = `server ${r.link!.name}:${r.link!.port} max_fails=2 fail_timeout=5s;`;
      expect(upstream(conf, 'gateways')).toContain(link);
      expect(upstream(conf, 'media_origin')).toContain(link);
      expect(conf).not.toMatch(/server (gateway|shield):/);
    }
  });

  it('the shield caches the media origin’s pictures and passes /api/ through to the gateways', () => {
    const conf = renderAll()['shield.conf'];
    expect(conf).toContain('listen 8091;');
    expect(upstream(conf, 'media_origin')).toContain('server media:8090 max_fails=2 fail_timeout=5s;');
    expect(upstream(conf, 'gateways')).toContain('server gateway:3000 max_fails=2 fail_timeout=5s;');
    expect(conf).toContain('proxy_cache shield_media;');
    expect(conf).not.toMatch(/127\.0\.0\.1:\d/);
  });
});
