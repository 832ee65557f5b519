import parsePrometheusTextFormat, { type PromSample } from 'parse-prometheus-text-format';

// One scrape of a replica's /metrics (prom-client's text format), parsed by a library, with the few
// sums the diagram needs. Counters are totals since the replica started: the observer turns them
// into rates by comparing two scrapes.

export type Labels = Record<string, string>;
type Match = (labels: Labels) => boolean;

export interface Scrape {
  /** Sum of a counter's or gauge's samples whose labels match (0 when the metric is absent). */
  sum(name: string, match?: Match): number;
  /** Histogram totals (count and sum of observations) over matching samples. */
  histogram(name: string, match?: Match): { count: number; sum: number };
  /** Each sample's labels and value, e.g. the breaker state per upstream. */
  samples(name: string): { labels: Labels; value: number }[];
  has(name: string): boolean;
}

const number = (text: string | undefined): number => {
  const value = Number(text);
  return Number.isFinite(value) ? value : 0;
};

/**
 * The library folds a histogram's samples into one unlabelled entry (prom2json's shape), which loses
 * per-label `_count` and `_sum` (lock waits are labelled by outcome). Without the TYPE line each of
 * `_bucket`, `_sum` and `_count` parses as a family of its own with its labels kept. The library also
 * drops a last line without a newline, so one is added.
 */
const untypeHistograms = (text: string): string =>
  `${text.replace(/^# TYPE \S+ (histogram|summary)$/gm, '')}\n`;

export function parseScrape(text: string): Scrape {
  // Untyped, a name may come back as several families (one per run of lines): merge them.
  const families = new Map<string, PromSample[]>();
  for (const family of parsePrometheusTextFormat(untypeHistograms(text)))
    families.set(family.name, [...(families.get(family.name) ?? []), ...family.metrics]);
  const metricsOf = (name: string, match?: Match) =>
    (families.get(name) ?? []).filter((m) => !match || match(m.labels ?? {}));
  return {
    sum: (name, match) => metricsOf(name, match).reduce((total, m) => total + number(m.value), 0),
    histogram: (name, match) => ({
      count: metricsOf(`${name}_count`, match).reduce((total, m) => total + number(m.value), 0),
      sum: metricsOf(`${name}_sum`, match).reduce((total, m) => total + number(m.value), 0),
    }),
    samples: (name) => metricsOf(name).map((m) => ({ labels: m.labels ?? {}, value: number(m.value) })),
    has: (name) => families.has(name) || families.has(`${name}_count`),
  };
}
