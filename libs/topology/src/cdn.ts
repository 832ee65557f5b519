import { portOffset } from './infra';

// The CDN in depth: a media origin (object storage + resizer), an origin shield next to it, and
// edges standing for points of presence in several regions. Each remote region reaches the origin
// side through a WAN link: a TCP hop that delays every byte by the region's one-way latency (the
// native runner and compose both run it; no traffic leaves the machine). The default `edge` on
// 8080 (proxies.edge) is the home region's edge, next to the origin.

export interface CdnRegion {
  /** Region name, shown in X-Edge-Region and in the CDN metrics. */
  region: string;
  /** The edge (nginx) of this region: the `edge` proxy for the home region. */
  edge: string;
  edgePort: number;
  /** Round-trip time added between this region's edge and the origin side (0: no link). */
  rttMs: number;
  /** The WAN link this region's edge goes through to the shield; absent in the home region. */
  link?: { name: string; port: number };
}

export const cdn = {
  mediaOrigin: { name: 'media', port: 8090 },
  shield: { name: 'shield', port: 8091 },
  /** UDP: the edges' syslog lines about /media, read by the media origin into metrics. */
  logCollector: { name: 'cdn-log', port: 8099, protocol: 'udp' },
  regions: [
    { region: 'eu-west', edge: 'edge', edgePort: 8080, rttMs: 0 },
    { region: 'us-east', edge: 'edge-us', edgePort: 8092, rttMs: 80, link: { name: 'wan-us', port: 8094 } },
    { region: 'ap-south', edge: 'edge-ap', edgePort: 8093, rttMs: 160, link: { name: 'wan-ap', port: 8095 } },
  ] as readonly CdnRegion[],
} as const;

/** A CDN node's port with SDP_PORT_OFFSET applied. */
export const cdnPort = (port: number): number => port + portOffset();

export const mediaOriginUrl = (host = '127.0.0.1'): string =>
  `http://${host}:${cdnPort(cdn.mediaOrigin.port)}`;

/** Every region's edge URL (the home region's first): where the catalog sends its refreshes. */
export const edgeUrls = (host = '127.0.0.1'): string[] =>
  cdn.regions.map((r) => `http://${host}:${cdnPort(r.edgePort)}`);
