import { Inject, Injectable } from '@nestjs/common';
import { demoMasters, mediaFormats, mediaPath, mediaWidths, type MediaFormat } from '@sdp/media';
import { sleep } from '@sdp/scheduling';
import { cdn } from '@sdp/topology';
import { CONTROL_CONFIG, type ControlConfig } from '../config';
import { CdnProbes } from '../observer/cdn-probes';
import { Observer, type Snapshot } from '../observer/observer.service';
import { parseScrape } from '../prometheus/metrics-text';
import { RunnerClient } from '../runner/runner-client';
import type { Scenario, ScenarioContext, ScenarioParams, ScenarioResult } from './scenario';
import { percentile } from './stack-client';

// The CDN's regions (docs/cdn.md), on the live stack. 1: a few pictures no edge holds yet are read
// twice in every region: the miss pays the WAN round trips (a remote region's miss is answered by
// the shield, which the home region's miss filled), the hit does not; the origin's own counter says
// how many requests reached it per region. 2: the media origin is killed; every region keeps
// answering what it or the shield holds (the mutable alias after its max-age: stale-if-error), a
// picture nobody holds is a JSON 502; the origin is started again and that picture loads.

const PICTURES = 3;
const MAX_TRIES = 60;
const MEDIA_ID = `${cdn.mediaOrigin.name}-1`;

interface Read {
  status: number;
  cache: string;
  shield: string;
  ms: number;
  json: boolean;
  maxAge?: number;
}

const mediaStatus = (snapshot: Snapshot) => snapshot.nodes.find((n) => n.id === cdn.mediaOrigin.name)?.status;

/** Every picture variant the origin can render, starting at a random place (a fresh one per run). */
function variants(): string[] {
  const all = demoMasters().flatMap((m) =>
    mediaWidths.flatMap((w) =>
      (Object.keys(mediaFormats) as MediaFormat[]).map((f) => `${mediaPath(m.key, m.hash, f)}?w=${w}`),
    ),
  );
  const start = Math.floor(Math.random() * all.length);
  return [...all.slice(start), ...all.slice(0, start)];
}

@Injectable()
export class CdnRegionsScenario implements Scenario {
  readonly name = 'cdn-regions';
  readonly title = 'CDN regions: miss vs hit, shield, origin down';
  readonly description =
    'Reads pictures no edge holds yet in every region (miss, then hit; origin requests per region behind the shield), then kills the media origin: each region answers from its copies (an expired alias served stale), a never-fetched picture is a JSON 502; the origin comes back. Invariant: hits in every region, one origin request per picture, nothing but copies or JSON 502s while down.';

  constructor(
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
    private readonly runner: RunnerClient,
    private readonly observer: Observer,
    private readonly cdnProbes: CdnProbes,
  ) {}

  unavailable(): string | undefined {
    if (!this.cdnProbes.enabled)
      return 'control is not given the CDN regions here (CDN_EDGE_URLS is not set)';
    return this.runner.available
      ? undefined
      : 'needs the native runner’s control channel (pnpm stack) to stop the media origin';
  }

  prepare(): ScenarioParams {
    return {};
  }

  private async read(url: string): Promise<Read> {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      await response.arrayBuffer();
      const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1];
      return {
        status: response.status,
        cache: response.headers.get('x-cache-status') || '-',
        shield: response.headers.get('x-shield-cache') || '-',
        ms: performance.now() - started,
        json: (response.headers.get('content-type') ?? '').startsWith('application/json'),
        maxAge: maxAge === undefined ? undefined : Number(maxAge),
      };
    } catch (error) {
      return { status: 0, cache: String(error), shield: '-', ms: performance.now() - started, json: false };
    }
  }

  /** Requests that reached the media origin for a picture (rendered or read from the bucket). */
  private async originRequests(): Promise<number> {
    const response = await fetch(`${this.config.MEDIA_ORIGIN_URL}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    return parseScrape(await response.text()).sum('media_origin_renditions_total');
  }

  async run(_params: ScenarioParams, { log }: ScenarioContext): Promise<ScenarioResult> {
    const edges = this.cdnProbes.edgeUrls();
    const regions = cdn.regions.map((r) => ({ ...r, url: edges.get(r.region)! }));
    const [home, ...remote] = regions;
    if (!(await this.runner.replicas()).some((r) => r.id === MEDIA_ID))
      throw new Error(`the runner does not manage the media origin (${MEDIA_ID})`);
    const release = this.observer.hold();
    try {
      // 1. Miss vs hit per region; origin requests per region behind the shield.
      const candidates = variants();
      const pictures: string[] = [];
      const miss = new Map(regions.map((r) => [r.region, [] as number[]]));
      const hit = new Map(regions.map((r) => [r.region, [] as number[]]));
      const origin = new Map(regions.map((r) => [r.region, 0]));
      const firstCaches = new Map(regions.map((r) => [r.region, new Set<string>()]));
      let secondNotHit = 0;
      let tries = 0;
      while (pictures.length < PICTURES && tries < MAX_TRIES && candidates.length > 0) {
        const path = candidates.shift()!;
        tries++;
        const before = await this.originRequests();
        const first = await this.read(`${home.url}${path}`);
        if (first.status !== 200 || first.cache !== 'MISS') continue; // someone fetched it already
        pictures.push(path);
        for (const region of regions) {
          const countBefore = region === home ? before : await this.originRequests();
          const a = region === home ? first : await this.read(`${region.url}${path}`);
          origin.set(region.region, origin.get(region.region)! + (await this.originRequests()) - countBefore);
          const b = await this.read(`${region.url}${path}`);
          miss.get(region.region)!.push(a.ms);
          hit.get(region.region)!.push(b.ms);
          firstCaches.get(region.region)!.add(`${a.cache}${a.shield === '-' ? '' : `/shield ${a.shield}`}`);
          if (b.status !== 200 || b.cache !== 'HIT') secondNotHit++;
        }
      }
      if (pictures.length === 0)
        throw new Error(`no picture left that the home edge has not cached (${tries} tried)`);
      log(`${pictures.length} pictures no edge held (${tries} variants tried): ${pictures.join(', ')}`);
      const figures: Record<string, number | string> = { pictures: pictures.length };
      for (const r of regions) {
        const m = Math.round(percentile(miss.get(r.region)!, 50));
        const h = Math.round(percentile(hit.get(r.region)!, 50));
        figures[`${r.region} missMs`] = m;
        figures[`${r.region} hitMs`] = h;
        figures[`${r.region} originRequests`] = origin.get(r.region)!;
        log(
          `${r.region} (+${r.rttMs} ms RTT): miss ${m} ms, hit ${h} ms (p50); first read ${[...firstCaches.get(r.region)!].join(', ')}; origin requests ${origin.get(r.region)}`,
        );
      }
      const originTotal = [...origin.values()].reduce((sum, n) => sum + n, 0);
      log(
        `origin requests with the shield: ${originTotal} for ${pictures.length} pictures × ${regions.length} regions (without it every region's miss would reach the origin: ${pictures.length * regions.length}; pnpm test:e2e cdn-regions measures that column)`,
      );

      // 2. The origin down.
      const alias = `${pictures[0].replace(/\.[0-9a-f]{10}\.(\w+)\?.*$/, '.$1')}`;
      let maxAge = 0;
      for (const r of regions) maxAge = Math.max(maxAge, (await this.read(`${r.url}${alias}`)).maxAge ?? 0);
      const warmedAt = Date.now();
      log(`warmed the mutable alias ${alias} in every region (max-age ${maxAge} s)`);
      const down = await this.originDown(
        regions,
        pictures[0],
        alias,
        warmedAt + (maxAge + 1) * 1000,
        candidates,
        log,
      );
      Object.assign(figures, down.figures);

      const held =
        secondNotHit === 0 &&
        originTotal === pictures.length &&
        remote.every((r) => origin.get(r.region) === 0) &&
        down.held;
      return {
        held,
        invariant:
          `miss/hit p50 ${regions.map((r) => `${r.region} ${figures[`${r.region} missMs`]}/${figures[`${r.region} hitMs`]} ms`).join(', ')}; ` +
          `second reads HIT ${pictures.length * regions.length - secondNotHit}/${pictures.length * regions.length}; ` +
          `origin requests ${originTotal} for ${pictures.length} pictures (${regions.map((r) => `${r.region} ${origin.get(r.region)}`).join(', ')}); ` +
          down.invariant,
        figures,
      };
    } finally {
      release();
    }
  }

  private async originDown(
    regions: ((typeof cdn.regions)[number] & { url: string })[],
    hashed: string,
    alias: string,
    expiredAt: number,
    candidates: string[],
    log: (line: string) => void,
  ): Promise<{ held: boolean; invariant: string; figures: Record<string, number | string> }> {
    const figures: Record<string, number | string> = {};
    let killed = false;
    const started = Date.now();
    let fromCopies = 0;
    let neverOk = 0;
    let healed = 0;
    let never: string | undefined;
    try {
      await this.runner.kill(MEDIA_ID);
      killed = true;
      await this.observer.waitFor((s) => mediaStatus(s) === 'down', 30_000);
      figures.mediaRedAfterMs = Date.now() - started;
      log(`killed ${MEDIA_ID}: the diagram shows the media origin down after ${figures.mediaRedAfterMs} ms`);
      // A picture no cache on the way holds: the home edge answers it with a 502 (nothing is stored).
      while (!never && candidates.length > 0) {
        const path = candidates.shift()!;
        if ((await this.read(`${regions[0].url}${path}`)).status === 502) never = path;
      }
      const wait = expiredAt - Date.now();
      if (wait > 0) {
        log(`waiting ${Math.ceil(wait / 1000)} s until every copy of the alias has expired`);
        await sleep(wait);
      }
      for (const r of regions) {
        const a = await this.read(`${r.url}${alias}`);
        const h = await this.read(`${r.url}${hashed}`);
        const n = never ? await this.read(`${r.url}${never}`) : undefined;
        const ok = a.status === 200 && h.status === 200 && h.cache === 'HIT';
        if (ok) fromCopies++;
        if (!n || (n.status === 502 && n.json) || (n.status === 200 && n.cache === 'HIT')) neverOk++;
        figures[`${r.region} down`] =
          `alias ${a.status} ${a.cache}/shield ${a.shield}; hashed ${h.status} ${h.cache}; never ${n ? `${n.status}${n.json ? ' JSON' : ''}` : '-'}`;
        log(`${r.region} while the origin is down: ${figures[`${r.region} down`]}`);
      }
    } finally {
      if (killed) {
        await this.runner
          .start(MEDIA_ID)
          .catch((error: unknown) => log(`could not start ${MEDIA_ID}: ${String(error)}`));
        log(`starting ${MEDIA_ID} again`);
        await this.observer
          .waitFor((s) => mediaStatus(s) === 'up', 60_000)
          .then(() => log('the media origin is back up'))
          .catch((error: unknown) => log(`the media origin did not come back: ${String(error)}`));
      }
    }
    for (const r of regions) {
      if (!never) break;
      const deadline = Date.now() + 20_000;
      let last: Read | undefined;
      while (Date.now() < deadline) {
        last = await this.read(`${r.url}${never}`);
        if (last.status === 200) break;
        await sleep(500);
      }
      if (last?.status === 200) healed++;
      log(`${r.region} after the origin came back: the never-fetched picture ${last?.status} ${last?.cache}`);
    }
    const n = regions.length;
    return {
      held: fromCopies === n && neverOk === n && healed === n,
      invariant: `origin down: ${fromCopies}/${n} regions answered from copies (expired alias 200, hashed HIT), never-fetched picture ${neverOk}/${n} a JSON 502 (or the region's own HIT); healed ${healed}/${n}`,
      figures: { ...figures, regionsFromCopies: fromCopies, healed },
    };
  }
}
