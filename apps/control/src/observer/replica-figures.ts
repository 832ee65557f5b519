import type { Scrape } from '../prometheus/metrics-text';

// What the diagram shows for a service, read from its replicas' own /metrics. Rules are keyed by
// metric name, not by service: a service that exposes one of these metrics (a new one included)
// gets the figure without a change here.

/** Counter totals of one replica, by figure key (only those its /metrics has). */
export type Counters = Record<string, number>;

interface CounterRule {
  key: string;
  metric: string;
  read: (scrape: Scrape) => number;
}

const counterRules: CounterRule[] = [
  { key: 'requests', metric: 'http_requests_total', read: (s) => s.sum('http_requests_total') },
  {
    key: 'errors',
    metric: 'http_requests_total',
    read: (s) => s.sum('http_requests_total', (l) => String(l.status ?? '').startsWith('5')),
  },
  {
    key: 'cacheHits',
    metric: 'cache_events_total',
    read: (s) => s.sum('cache_events_total', (l) => l.event === 'hit'),
  },
  {
    key: 'cacheMisses',
    metric: 'cache_events_total',
    read: (s) => s.sum('cache_events_total', (l) => l.event === 'miss'),
  },
  {
    key: 'lockAcquired',
    metric: 'lock_acquire_wait_seconds',
    read: (s) => s.histogram('lock_acquire_wait_seconds', (l) => l.outcome === 'acquired').count,
  },
  {
    key: 'lockAttempts',
    metric: 'lock_acquire_wait_seconds',
    read: (s) => s.histogram('lock_acquire_wait_seconds').count,
  },
  {
    key: 'lockWaitSeconds',
    metric: 'lock_acquire_wait_seconds',
    read: (s) => s.histogram('lock_acquire_wait_seconds').sum,
  },
  { key: 'lockFailures', metric: 'lock_failures_total', read: (s) => s.sum('lock_failures_total') },
  { key: 'lockNodeErrors', metric: 'lock_node_errors_total', read: (s) => s.sum('lock_node_errors_total') },
  {
    key: 'fenced',
    metric: 'inventory_reservations_total',
    read: (s) => s.sum('inventory_reservations_total', (l) => l.outcome === 'fenced'),
  },
  {
    key: 'rateLimited',
    metric: 'gateway_rate_limited_total',
    read: (s) => s.sum('gateway_rate_limited_total'),
  },
  {
    key: 'breakerRejections',
    metric: 'gateway_circuit_rejections_total',
    read: (s) => s.sum('gateway_circuit_rejections_total'),
  },
  { key: 'outboxPublished', metric: 'outbox_published_total', read: (s) => s.sum('outbox_published_total') },
  { key: 'outboxBacklog', metric: 'outbox_backlog', read: (s) => s.sum('outbox_backlog') },
];

export function countersOf(scrape: Scrape): Counters {
  const counters: Counters = {};
  for (const rule of counterRules) if (scrape.has(rule.metric)) counters[rule.key] = rule.read(scrape);
  return counters;
}

/** Per-second rates between two scrapes of one replica (a restart, counters going down, reads as 0). */
export function ratesBetween(before: Counters | undefined, after: Counters, seconds: number): Counters {
  const rates: Counters = {};
  if (!before || seconds <= 0) return rates;
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    rates[key] = delta > 0 ? delta / seconds : 0;
  }
  return rates;
}

/** Breaker state per upstream from gateway_circuit_state (0 closed, 1 half-open, 2 open). */
export function breakerStates(scrape: Scrape): Record<string, 'closed' | 'half-open' | 'open'> {
  const names = ['closed', 'half-open', 'open'] as const;
  return Object.fromEntries(
    scrape
      .samples('gateway_circuit_state')
      .map(({ labels, value }) => [
        labels.upstream ?? '?',
        names[Math.max(0, Math.min(2, Math.round(value)))],
      ]),
  );
}

export interface Figure {
  label: string;
  value: string;
  /** Where the number comes from (metric or command), shown on hover. */
  source: string;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '0');
const sumOf = (items: Counters[], key: string) => items.reduce((total, c) => total + (c[key] ?? 0), 0);
const hasKey = (items: Counters[], key: string) => items.some((c) => key in c);

/** A counter summed over the replicas, shown only where some replica exports it (the service uses it). */
function pushTotal(figures: Figure[], totals: Counters[], key: string, label: string, source: string): void {
  if (hasKey(totals, key)) figures.push({ label, value: String(sumOf(totals, key)), source });
}

/** A replica's own line: requests and 5xx per second. */
export function replicaFigures(rates: Counters): Figure[] {
  return [
    { label: 'req/s', value: fixed(rates.requests ?? 0), source: 'rate of http_requests_total' },
    { label: '5xx/s', value: fixed(rates.errors ?? 0), source: 'rate of http_requests_total{status=~"5.."}' },
  ];
}

/** A service's figures over its replicas that answered: totals and ratios from their counters. */
export function serviceFigures(totals: Counters[], breakers: Record<string, string>): Figure[] {
  const figures: Figure[] = [];
  if (hasKey(totals, 'cacheHits')) {
    const hits = sumOf(totals, 'cacheHits');
    const misses = sumOf(totals, 'cacheMisses');
    figures.push({
      label: 'cache hit ratio',
      value: hits + misses > 0 ? `${fixed((100 * hits) / (hits + misses))} %` : '–',
      source: 'cache_events_total{event="hit"} / (hit + miss), summed over replicas',
    });
  }
  if (hasKey(totals, 'lockAttempts')) {
    const attempts = sumOf(totals, 'lockAttempts');
    figures.push(
      {
        label: 'locks acquired',
        value: String(sumOf(totals, 'lockAcquired')),
        source: 'lock_acquire_wait_seconds_count{outcome="acquired"}',
      },
      {
        label: 'avg lock wait',
        value: attempts > 0 ? `${fixed((1000 * sumOf(totals, 'lockWaitSeconds')) / attempts)} ms` : '–',
        source: 'lock_acquire_wait_seconds_sum / _count',
      },
      { label: 'lock failures', value: String(sumOf(totals, 'lockFailures')), source: 'lock_failures_total' },
    );
  }
  pushTotal(
    figures,
    totals,
    'fenced',
    'fencing rejections',
    'inventory_reservations_total{outcome="fenced"}',
  );
  pushTotal(figures, totals, 'rateLimited', '429s', 'gateway_rate_limited_total');
  const notClosed = Object.entries(breakers).filter(([, state]) => state !== 'closed');
  if (Object.keys(breakers).length > 0)
    figures.push({
      label: 'breakers',
      value: notClosed.length === 0 ? 'all closed' : notClosed.map(([u, s]) => `${u} ${s}`).join(', '),
      source: 'gateway_circuit_state per upstream (0 closed, 1 half-open, 2 open)',
    });
  pushTotal(figures, totals, 'outboxPublished', 'outbox published', 'outbox_published_total');
  if (hasKey(totals, 'outboxBacklog'))
    figures.push({
      label: 'outbox backlog',
      value: String(
        sumOf(totals, 'outboxBacklog') / Math.max(1, totals.filter((t) => 'outboxBacklog' in t).length),
      ),
      source: 'outbox_backlog (rows not yet relayed; one table per service, so replicas agree)',
    });
  return figures;
}
