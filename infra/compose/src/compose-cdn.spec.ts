import fs from 'node:fs';
import path from 'node:path';
import { cdn, proxies } from '@sdp/topology';
import { controlConfigSchema } from '../../../apps/control/src/config';
import { mediaOriginConfigSchema } from '../../../apps/media-origin/src/config';
import { wanLinkConfigSchema } from '../../../apps/wan-link/src/config';
import { type ComposeService, interpolate, readComposeFile, repoRoot } from './compose-file';
import { edgeTemplateName } from './render';

// docker-compose.yml runs the CDN of `pnpm stack` (libs/topology `cdn`, infra/local/src/cdn): the
// media origin with its log collector, the origin shield, a WAN link and an edge per remote region.

const all = readComposeFile().services;
/** The secrets `.env` holds (compose refuses to start without them); every default left as written. */
const vars = Object.fromEntries(
  ['INTERNAL_AUTH_SECRET', 'JWT_SECRET', 'DEMO_PASSWORD', 'EDGE_REFRESH_TOKEN'].map((k) => [
    k,
    's'.repeat(64),
  ]),
);
const envOf = (svc: ComposeService): Record<string, string> =>
  Object.fromEntries(
    Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), vars)]),
  );
const dependsOn = (svc: ComposeService) => (Array.isArray(svc.depends_on) ? {} : (svc.depends_on ?? {}));
const serviceImage = (app: string) => ({
  context: '.',
  dockerfile: 'infra/docker/service.Dockerfile',
  args: { APP: app },
});
const healthy = { condition: 'service_healthy' };
const remote = cdn.regions.filter((r) => r.link);

describe('docker-compose.yml: the CDN', () => {
  it('runs the media origin from the service image, with the log collector on the topology’s UDP port', () => {
    const media = all[cdn.mediaOrigin.name];
    expect(media.build).toEqual(serviceImage('media-origin'));
    expect(media.image).toBe('sdp/media-origin:local');
    const env = envOf(media);
    expect(env.PORT).toBe(String(cdn.mediaOrigin.port));
    expect(env.CDN_LOG_UDP_PORT).toBe(String(cdn.logCollector.port));
    expect(env.HOST).toBe('0.0.0.0');
    const parsed = mediaOriginConfigSchema.safeParse(env);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      [],
    );
  });

  it('puts the shield in front of the media origin, on its own config rendered from the shared template', () => {
    const shield = all[cdn.shield.name];
    expect(shield.volumes).toContain('./infra/compose/nginx/shield.conf:/etc/nginx/sdp/shield.conf:ro');
    expect(String(shield.command)).toContain('nginx -c /etc/nginx/sdp/shield.conf');
    expect(envOf(shield).NGINX_HEALTH_PORT).toBe(String(cdn.shield.port));
    expect(dependsOn(shield)).toMatchObject({ [cdn.mediaOrigin.name]: healthy, gateway: healthy });
  });

  it.each(remote.map((r) => [r.region, r] as const))(
    '%s: a WAN link with the region’s round trip, from the same code as the native runner, unprivileged',
    (_region, r) => {
      const link = all[r.link!.name];
      expect(link.build).toEqual(serviceImage('wan-link'));
      const env = envOf(link);
      expect(env).toMatchObject({
        PORT: String(r.link!.port),
        WAN_TARGET: `${cdn.shield.name}:${cdn.shield.port}`,
        WAN_RTT_MS: String(r.rttMs),
        HOST: '0.0.0.0',
      });
      expect(wanLinkConfigSchema.safeParse(env).success).toBe(true);
      expect(dependsOn(link)).toEqual({ [cdn.shield.name]: healthy });
      const raw = link as Record<string, unknown>;
      for (const key of ['privileged', 'cap_add', 'network_mode']) expect(raw[key]).toBeUndefined();
    },
  );

  it.each(cdn.regions.map((r) => [r.region, r] as const))(
    '%s: an edge from the edge image with its own rendered template, published on the region’s port',
    (_region, r) => {
      const edge = all[r.edge];
      expect(edge.image).toBe(all[proxies.edge.name].image);
      expect(edge.build).toEqual(all[proxies.edge.name].build);
      expect(edge.volumes).toEqual([
        `./infra/compose/nginx/${edgeTemplateName(r)}:/etc/nginx/templates/${edgeTemplateName(r)}:ro`,
      ]);
      expect(edge.command).toEqual(['nginx', '-c', `/etc/nginx/sdp/${r.edge}.conf`]);
      expect(envOf(edge).NGINX_HEALTH_PORT).toBe(String(r.edgePort));
      expect(edge.ports).toHaveLength(1);
      expect(String(edge.ports![0])).toMatch(
        new RegExp(`^\\$\\{EDGE_\\w*PORT:-${r.edgePort}\\}:${r.edgePort}$`),
      );
      // nginx resolves its upstreams and the log collector when it loads: they must be up first.
      const first = r.link ? r.link.name : cdn.shield.name;
      expect(dependsOn(edge)).toMatchObject({ [first]: healthy, [cdn.mediaOrigin.name]: healthy });
    },
  );

  it('a product change refreshes every region’s edge (catalog’s EDGE_URLS)', () => {
    const urls = envOf(all.catalog).EDGE_URLS.split(',');
    expect(urls).toEqual(cdn.regions.map((r) => `http://${r.edge}:${r.edgePort}`));
  });

  it('control is given every region’s edge, the shield and the media origin (the CDN’s boxes on the architecture page)', () => {
    const env = envOf(all.control);
    expect(env.CDN_EDGE_URLS.split(',')).toEqual(cdn.regions.map((r) => `http://${r.edge}:${r.edgePort}`));
    expect(env.CDN_SHIELD_URL).toBe(`http://${cdn.shield.name}:${cdn.shield.port}`);
    expect(env.MEDIA_ORIGIN_URL).toBe(`http://${cdn.mediaOrigin.name}:${cdn.mediaOrigin.port}`);
    const parsed = controlConfigSchema.safeParse(env);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      [],
    );
  });

  it('the CDN’s Node containers probe health without a second Node process inside their limit', () => {
    for (const name of [cdn.mediaOrigin.name, ...remote.map((r) => r.link!.name)]) {
      const test = all[name].healthcheck?.test;
      expect(Array.isArray(test) ? test[0] : test).toBe('CMD-SHELL');
      expect(String(test)).toMatch(/bash -c 'exec 3<>\/dev\/tcp\/127\.0\.0\.1\/\$\$PORT/);
      expect(String(test)).not.toMatch(/\bnode\b/);
    }
  });

  it('Prometheus (observability profile) scrapes the media origin, where the cdn_media_* metrics are', () => {
    const config = fs.readFileSync(path.join(repoRoot, 'infra/compose/prometheus/prometheus.yml'), 'utf8');
    expect(config).toContain(
      `dns_sd_configs: [{ names: [${cdn.mediaOrigin.name}], type: A, port: ${cdn.mediaOrigin.port}, refresh_interval: 10s }]`,
    );
  });
});
