import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@sdp/scheduling';
import { CONTROL_CONFIG, type ControlConfig } from '../config';
import { parseScrape } from '../prometheus/metrics-text';
import { diagramShape, type DiagramEdge, type DiagramNode, type Health, type ReplicaView } from './diagram';
import {
  breakerStates,
  countersOf,
  ratesBetween,
  replicaFigures,
  serviceFigures,
  type Counters,
} from './replica-figures';
import { CdnProbes } from './cdn-probes';
import { ServerProbes, type ServerReading } from './server-probes';
import { Targets, type Target } from './targets';

// Scrapes every replica's /metrics and reads every server about once a second, but only while
// someone watches (an open stream, a running scenario): an idle control costs the stack nothing.
// Each round becomes one Snapshot: the diagram from the topology, each box with its status and
// figures. Subscribers (the SSE streams) get every snapshot.

export interface Snapshot {
  at: string;
  /** How replicas were found: the runner's channel, or compose DNS. */
  discovery: 'runner' | 'dns';
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

/** The CDN's readings join the servers'; the home edge is in both (its health, plus its CDN figures). */
function mergeReadings(servers: ServerReading[], cdn: ServerReading[]): ServerReading[] {
  const byId = new Map(servers.map((s) => [s.id, s]));
  for (const reading of cdn) {
    const known = byId.get(reading.id);
    byId.set(
      reading.id,
      known
        ? { ...known, up: known.up && reading.up, figures: [...known.figures, ...reading.figures] }
        : reading,
    );
  }
  return [...byId.values()];
}

interface ReplicaSample {
  at: number;
  counters: Counters;
}

/** How often (in rounds) each service's /ready is asked which servers it depends on. */
const READY_EVERY = 5;

@Injectable()
export class Observer implements OnApplicationShutdown {
  private readonly logger = new Logger(Observer.name);
  private readonly listeners = new Set<(snapshot: Snapshot) => void>();
  private readonly previous = new Map<string, ReplicaSample>();
  private readonly dependencies: Record<string, string[]> = {};
  private previousPostgres: { at: number; commits: number } | undefined;
  private latest: Snapshot | undefined;
  private holds = 0;
  private rounds = 0;
  private readonly task: PeriodicTask;

  constructor(
    @Inject(CONTROL_CONFIG) private readonly config: ControlConfig,
    private readonly targets: Targets,
    private readonly probes: ServerProbes,
    private readonly cdnProbes: CdnProbes,
  ) {
    this.task = new PeriodicTask({
      run: () => this.round(),
      intervalMs: config.SCRAPE_INTERVAL_MS,
      firstRunAfterMs: 0,
      onError: (error) => this.logger.warn(`observer round failed: ${String(error)}`),
    });
  }

  /** Every snapshot from now on; the returned function unsubscribes. Watching keeps the rounds going. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    const release = this.hold();
    return () => {
      this.listeners.delete(listener);
      release();
    };
  }

  /** Keeps the rounds going without a listener (a scenario watching the stack); returns the release. */
  hold(): () => void {
    if (this.holds++ === 0) this.task.start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) void this.task.stop();
    };
  }

  /** The latest snapshot, or a fresh one when nobody keeps the rounds going. */
  async snapshot(): Promise<Snapshot> {
    if (this.holds > 0 && this.latest) return this.latest;
    return this.round();
  }

  /** The next snapshot satisfying `test`, within timeoutMs. */
  async waitFor(test: (snapshot: Snapshot) => boolean, timeoutMs: number): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`the diagram did not show the expected state within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const unsubscribe = this.subscribe((snapshot) => {
        if (!test(snapshot)) return;
        clearTimeout(timer);
        queueMicrotask(() => unsubscribe());
        resolve(snapshot);
      });
    });
  }

  private async round(): Promise<Snapshot> {
    const readReady = this.rounds++ % READY_EVERY === 0;
    const [targets, servers, cdnReadings] = await Promise.all([
      this.targets.list().catch((error: unknown) => {
        this.logger.warn(`cannot list replicas: ${String(error)}`);
        return [] as Target[];
      }),
      this.probes.readAll(),
      this.cdnProbes.readAll(),
    ]);
    const scraped = await Promise.all(targets.map((t) => this.scrape(t, readReady)));
    const snapshot = this.compose(scraped, mergeReadings(servers, cdnReadings));
    this.latest = snapshot;
    for (const listener of this.listeners) listener(snapshot);
    return snapshot;
  }

  private async scrape(target: Target, readReady: boolean) {
    if (target.state === 'stopped')
      return { target, up: false as const, counters: undefined, rates: {}, breakers: {} };
    try {
      const response = await fetch(`${target.url}/metrics`, {
        signal: AbortSignal.timeout(this.config.SCRAPE_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
      const scrape = parseScrape(await response.text());
      const now = Date.now();
      const counters = countersOf(scrape);
      const before = this.previous.get(target.url);
      this.previous.set(target.url, { at: now, counters });
      const rates = ratesBetween(before?.counters, counters, before ? (now - before.at) / 1000 : 0);
      if (readReady || !this.dependencies[target.service]) await this.learnDependencies(target);
      return { target, up: true as const, counters, rates, breakers: breakerStates(scrape) };
    } catch {
      this.previous.delete(target.url);
      return { target, up: false as const, counters: undefined, rates: {}, breakers: {} };
    }
  }

  /** The servers a service depends on are the checks its /ready runs. */
  private async learnDependencies(target: Target): Promise<void> {
    try {
      const response = await fetch(`${target.url}/ready`, { signal: AbortSignal.timeout(2_000) });
      const report = (await response.json()) as { checks?: Record<string, unknown> };
      if (report.checks) this.dependencies[target.service] = Object.keys(report.checks);
    } catch {
      // keep what we knew
    }
  }

  private compose(scraped: Awaited<ReturnType<Observer['scrape']>>[], servers: ServerReading[]): Snapshot {
    const shape = diagramShape(undefined, this.dependencies, this.cdnProbes.enabled);
    const byService = new Map<string, typeof scraped>();
    for (const s of scraped) byService.set(s.target.service, [...(byService.get(s.target.service) ?? []), s]);
    const serverById = new Map(servers.map((s) => [s.id, s]));
    const now = Date.now();

    const nodes: DiagramNode[] = shape.nodes.map((node) => {
      if (node.kind === 'service') {
        const found = byService.get(node.id) ?? [];
        // Replicas the topology has but discovery did not find are shown as unknown, not hidden.
        const ids = [...new Set([...(shape.replicaIds[node.id] ?? []), ...found.map((s) => s.target.id)])];
        const replicas: ReplicaView[] = ids.map((id) => {
          const s = found.find((f) => f.target.id === id);
          if (!s) return { id, status: 'unknown', figures: [] };
          return {
            id,
            status: s.up ? 'up' : 'down',
            figures: s.up ? replicaFigures(s.rates) : [],
          };
        });
        const up = found.filter((s) => s.up);
        const status: Health =
          found.length === 0
            ? 'unknown'
            : up.length === 0
              ? 'down'
              : up.length < replicas.length
                ? 'degraded'
                : 'up';
        const requests = up.reduce((sum, s) => sum + (s.rates.requests ?? 0), 0);
        const errors = up.reduce((sum, s) => sum + (s.rates.errors ?? 0), 0);
        const breakers = Object.assign({}, ...up.map((s) => s.breakers)) as Record<string, string>;
        return {
          ...node,
          status,
          replicas,
          figures: [
            {
              label: 'req/s',
              value: requests.toFixed(1),
              source: 'Σ rate of http_requests_total over replicas',
            },
            {
              label: '5xx/s',
              value: errors.toFixed(1),
              source: 'Σ rate of http_requests_total{status=~"5.."}',
            },
            ...serviceFigures(
              up.map((s) => s.counters ?? {}),
              breakers,
            ),
          ],
        };
      }
      const reading = serverById.get(node.id);
      let figures = reading?.figures ?? [];
      if (node.id === 'postgres' && reading?.totals) {
        const before = this.previousPostgres;
        const commits = reading.totals.commits;
        this.previousPostgres = { at: now, commits };
        if (before)
          figures = [
            ...figures,
            {
              label: 'commits/s',
              value: (
                Math.max(0, commits - before.commits) / Math.max(0.001, (now - before.at) / 1000)
              ).toFixed(1),
              source: 'rate of pg_stat_database.xact_commit',
            },
          ];
      }
      return { ...node, status: reading ? (reading.up ? 'up' : 'down') : 'unknown', figures };
    });
    return { at: new Date(now).toISOString(), discovery: this.targets.mode, nodes, edges: shape.edges };
  }

  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    await this.task.stop();
  }
}
