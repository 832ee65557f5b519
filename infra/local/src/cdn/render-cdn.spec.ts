import { cdn, edgeUrls, proxies } from '@sdp/topology';
import { renderEdgeConf, renderShieldConf } from '../nginx/render';

const files = { stateDir: '/s', pidFile: '/s/nginx.pid', errorLog: '/l/e.log', accessLog: '/l/a.log' };
const edge = {
  ...files,
  listen: '127.0.0.1:8092',
  gateways: ['127.0.0.1:8094'],
  webRoot: '/w',
  cacheDir: '/s/cache',
  internalAllow: ['127.0.0.1/32'],
  refreshToken: 'a'.repeat(32),
  selfAddress: '127.0.0.1:8092',
};

describe('CDN nginx configs', () => {
  it('routes a regional edge’s /media/ to its link, tags it with the region and logs it to the collector', () => {
    const conf = renderEdgeConf({
      ...edge,
      region: 'us-east',
      mediaServers: ['127.0.0.1:8094'],
      cdnLog: '127.0.0.1:8099',
    });
    expect(conf).toMatch(
      /upstream media_origin \{\n\s+server 127\.0\.0\.1:8094 max_fails=2 fail_timeout=5s;/,
    );
    expect(conf).toContain('location ^~ /media/ {');
    expect(conf).toContain('proxy_cache edge_media;');
    expect(conf).toContain('proxy_cache_revalidate on;');
    expect(conf).toContain('add_header X-Edge-Region us-east always;');
    expect(conf).toContain('access_log syslog:server=127.0.0.1:8099,tag=cdn_media,nohostname cdn_media;');
    expect(conf).toContain("log_format cdn_media 'tier=media region=us-east cache=$upstream_cache_status");
    // The API's cached locations log their cache status too (the edge's HIT/MISS/STALE ratio),
    // and keep the file log they would otherwise stop inheriting.
    expect(conf).toContain("log_format cdn_api 'tier=api region=us-east cache=$upstream_cache_status");
    const api = conf.match(/location \/api\/ \{[\s\S]*?\n {4}\}/)?.[0] ?? '';
    expect(api).toContain('access_log syslog:server=127.0.0.1:8099,tag=cdn_api,nohostname cdn_api;');
    expect(api).toContain('access_log /l/a.log edge;');
    // No placeholder left behind, and a static path never falls back to index.html.
    expect(conf).not.toMatch(/\{\{/);
    expect(conf).toContain('try_files $uri @static_missing;');
  });

  it('answers /media/ with a JSON 404 on an edge without a media origin (compose today)', () => {
    const conf = renderEdgeConf(edge);
    expect(conf).not.toContain('upstream media_origin');
    expect(conf).toContain('no media origin is configured for this edge');
    expect(conf).toContain('add_header X-Edge-Region eu-west always;');
  });

  it('refuses a region name or media address nginx could not take', () => {
    expect(() => renderEdgeConf({ ...edge, region: 'US East' })).toThrow(/region "US East"/);
    expect(() => renderEdgeConf({ ...edge, mediaServers: ['not an address'] })).toThrow(/edge mediaServers/);
  });

  it('caches media at the shield unless switched off, and passes the API through uncached', () => {
    const options = {
      ...files,
      listen: '127.0.0.1:8091',
      mediaServers: ['127.0.0.1:8090'],
      gateways: ['127.0.0.1:3000'],
      cacheDir: '/s/c',
    };
    const on = renderShieldConf(options);
    const off = renderShieldConf({ ...options, cache: false });
    expect(on).toContain('proxy_cache shield_media;');
    expect(off).toContain('proxy_cache off;');
    const api = on.match(/location \^~ \/api\/ \{[^}]*\}/)?.[0] ?? '';
    expect(api).toContain('proxy_pass http://gateways;');
    expect(api).not.toContain('proxy_cache ');
    expect(api).toContain('proxy_set_header X-Forwarded-For $http_x_forwarded_for;');
  });

  it('keeps the topology’s CDN in its port range, the home region on the default edge', () => {
    expect(cdn.regions[0]).toMatchObject({ edge: proxies.edge.name, edgePort: proxies.edge.port, rttMs: 0 });
    const ports = [
      cdn.mediaOrigin.port,
      cdn.shield.port,
      cdn.logCollector.port,
      ...cdn.regions.slice(1).flatMap((r) => [r.edgePort, r.link!.port]),
    ];
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(8090);
    for (const p of ports) expect(p).toBeLessThanOrEqual(8099);
    expect(edgeUrls()).toHaveLength(cdn.regions.length);
  });
});
