import { services, servicePorts } from '@sdp/topology';
import { edgeRefreshToken, renderEdgeConf, renderLbConf, renderTemplate } from './render';
import { workerUser } from './nginx-process';

const files = { stateDir: '/s', pidFile: '/s/nginx.pid', errorLog: '/l/e.log', accessLog: '/l/a.log' };
const addresses = (name: string) =>
  servicePorts(services.find((s) => s.name === name)!).map((p) => `127.0.0.1:${p}`);
const topologyUpstreams = Object.fromEntries(
  services.filter((s) => s.name !== 'gateway').map((s) => [s.name, addresses(s.name)]),
);

describe('renderLbConf', () => {
  const conf = renderLbConf({ ...files, listen: '127.0.0.1:8081', upstreams: topologyUpstreams });

  it('has one least_conn upstream with every replica per service from the topology, and one prefix each', () => {
    for (const [name, replicas] of Object.entries(topologyUpstreams)) {
      const block = conf.match(new RegExp(`upstream ${name} \\{[^}]*\\}`))?.[0] ?? '';
      expect(block).toContain('least_conn;');
      expect(block).toContain('keepalive 32;');
      for (const r of replicas) expect(block).toContain(`server ${r} max_fails=2 fail_timeout=5s;`);
      expect(conf).toContain(`location /${name}/ {\n      proxy_pass http://${name}/;`);
    }
    expect(conf).not.toContain('upstream gateway');
  });

  it('retries idempotent requests only, shows the upstream and keeps upstream connections alive', () => {
    expect(conf).toContain('proxy_next_upstream error timeout http_502 http_503;');
    expect(conf).toContain('proxy_next_upstream_tries 2;');
    expect(conf).not.toMatch(/^\s*proxy_next_upstream[^\n]*non_idempotent/m);
    expect(conf).toContain('add_header X-Upstream-Addr $upstream_addr always;');
    expect(conf).toContain('proxy_set_header Connection "";');
    expect(conf).toContain('listen 127.0.0.1:8081;');
    expect(conf).toContain('worker_processes 1;');
  });

  it('streams notifications (SSE) unbuffered', () => {
    const block = conf.match(/location \/notifications\/ \{[^}]*\}/)?.[0] ?? '';
    expect(block).toContain('proxy_buffering off;');
    expect(block).toContain('proxy_read_timeout 1h;');
  });

  it('refuses bad input naming it', () => {
    expect(() => renderLbConf({ ...files, listen: 'x:1', upstreams: {} })).toThrow(/no services/);
    expect(() => renderLbConf({ ...files, listen: 'x:1', upstreams: { catalog: ['nope'] } })).toThrow(
      /"nope" is not host:port/,
    );
  });
});

describe('renderEdgeConf', () => {
  const token = edgeRefreshToken('x'.repeat(40));
  const conf = renderEdgeConf({
    ...files,
    user: 'nobody nogroup',
    listen: '127.0.0.1:8080',
    gateways: addresses('gateway'),
    webRoot: '/repo/apps/web/dist',
    cacheDir: '/s/cache',
    internalAllow: ['127.0.0.1/32'],
    refreshToken: token,
    selfAddress: '127.0.0.1:8080',
  });

  it('balances the gateways and caches under the cache dir with lock, stale and background update', () => {
    const block = conf.match(/upstream gateways \{[^}]*\}/)?.[0] ?? '';
    expect(block).toContain('least_conn;');
    for (const g of addresses('gateway')) expect(block).toContain(`server ${g} `);
    expect(conf).toContain('proxy_cache_path /s/cache ');
    expect(conf).toContain('proxy_cache_lock on;');
    expect(conf).toContain(
      'proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;',
    );
    expect(conf).toContain('proxy_cache_background_update on;');
    expect(conf).toContain('add_header X-Cache-Status $upstream_cache_status always;');
    expect(conf).toContain('user nobody nogroup;');
  });

  it('never caches personal or non-GET requests nor Set-Cookie responses', () => {
    expect(conf).toContain('map "$http_authorization$http_cookie" $edge_personal');
    expect(conf).toContain('proxy_cache_bypass $edge_personal $edge_not_get $edge_refresh;');
    expect(conf).toContain('proxy_no_cache $edge_personal $edge_not_get $upstream_http_set_cookie;');
  });

  it('honours the refresh header only from the internal addresses with the token, and never forwards it', () => {
    expect(conf).toMatch(/geo \$edge_inside \{\s*default 0;\s*127\.0\.0\.1\/32 1;\s*\}/);
    expect(conf).toContain(`"1:${token}" 1;`);
    expect(conf).toContain('proxy_set_header X-Cache-Refresh "";');
  });

  it('serves the storefront with immutable assets and a no-cache index', () => {
    expect(conf).toContain('root /repo/apps/web/dist;');
    expect(conf).toContain('add_header Cache-Control "public, max-age=31536000, immutable" always;');
    expect(conf).toContain('add_header Cache-Control "no-cache" always;');
  });

  it('refuses a short token or a bad allow entry', () => {
    const base = {
      ...files,
      listen: 'h:1',
      gateways: ['h:2'],
      webRoot: '/w',
      cacheDir: '/c',
      internalAllow: ['127.0.0.1'],
      refreshToken: token,
      selfAddress: 'h:1',
    };
    expect(() => renderEdgeConf({ ...base, refreshToken: 'short' })).toThrow(/refreshToken/);
    expect(() => renderEdgeConf({ ...base, internalAllow: ['evil; deny all'] })).toThrow(/internalAllow/);
  });
});

describe('renderTemplate', () => {
  it('inlines includes and fails on a placeholder without a value', () => {
    const read = (f: string) => (f === 'a.conf' ? 'A={{a}}' : '');
    expect(renderTemplate('x {{> a.conf}} y', { a: '1' }, read)).toBe('x A=1 y');
    expect(() => renderTemplate('{{missing}}', {}, read)).toThrow(/no value for \{\{missing\}\}/);
  });
});

describe('workerUser', () => {
  it('drops root workers to nobody and its group; leaves other users alone', () => {
    const read = (f: string) =>
      f === '/etc/passwd'
        ? 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/sbin/nologin'
        : 'nogroup:x:65534:';
    expect(workerUser(0, read)).toBe('nobody nogroup');
    expect(workerUser(1000, read)).toBeUndefined();
  });
});
