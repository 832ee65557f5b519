import { breakerStates, countersOf, ratesBetween, serviceFigures } from '../observer/replica-figures';
import { parseScrape } from './metrics-text';

// A slice of what prom-client writes for a catalog and a gateway replica.
const catalog = `# HELP http_requests_total HTTP requests answered, by method, route pattern and status code.
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/products/:id",status="200"} 90
http_requests_total{method="GET",route="/products/:id",status="503"} 4
http_requests_total{method="GET",route="/products",status="404"} 6
# HELP cache_events_total Cache-aside outcomes by cache and event.
# TYPE cache_events_total counter
cache_events_total{cache="product",event="hit"} 75
cache_events_total{cache="product",event="miss"} 25
# HELP lock_acquire_wait_seconds Time from asking for a lock to holding it.
# TYPE lock_acquire_wait_seconds histogram
lock_acquire_wait_seconds_bucket{le="0.01",outcome="acquired"} 8
lock_acquire_wait_seconds_bucket{le="+Inf",outcome="acquired"} 10
lock_acquire_wait_seconds_sum{outcome="acquired"} 0.3
lock_acquire_wait_seconds_count{outcome="acquired"} 10
lock_acquire_wait_seconds_bucket{le="+Inf",outcome="busy"} 2
lock_acquire_wait_seconds_sum{outcome="busy"} 0.1
lock_acquire_wait_seconds_count{outcome="busy"} 2
`;
const gateway = `# TYPE gateway_circuit_state gauge
gateway_circuit_state{upstream="catalog"} 0
gateway_circuit_state{upstream="orders"} 2
# TYPE gateway_rate_limited_total counter
gateway_rate_limited_total{class="checkout"} 3
`;

describe(parseScrape.name, () => {
  it('sums counters and histograms by label', () => {
    const scrape = parseScrape(catalog);
    expect(scrape.sum('http_requests_total')).toBe(100);
    expect(scrape.sum('http_requests_total', (l) => l.status.startsWith('5'))).toBe(4);
    expect(scrape.histogram('lock_acquire_wait_seconds')).toEqual({ count: 12, sum: expect.closeTo(0.4) });
    expect(scrape.sum('absent_total')).toBe(0);
    expect(scrape.has('absent_total')).toBe(false);
  });

  it('turns counters into the figures of a service, only those its metrics support', () => {
    const counters = countersOf(parseScrape(catalog));
    expect(counters).toMatchObject({
      requests: 100,
      errors: 4,
      cacheHits: 75,
      cacheMisses: 25,
      lockAttempts: 12,
    });
    expect(counters).not.toHaveProperty('rateLimited');
    const figures = Object.fromEntries(
      serviceFigures([counters, counters], {}).map((f) => [f.label, f.value]),
    );
    expect(figures).toMatchObject({
      'cache hit ratio': '75.0 %',
      'locks acquired': '20',
      'avg lock wait': '33.3 ms',
      'lock failures': '0',
    });
    expect(figures).not.toHaveProperty('breakers');
  });

  it('reads breaker state per upstream and rate-limit rejections from a gateway', () => {
    const scrape = parseScrape(gateway);
    expect(breakerStates(scrape)).toEqual({ catalog: 'closed', orders: 'open' });
    const figures = serviceFigures([countersOf(scrape)], breakerStates(scrape));
    expect(figures.find((f) => f.label === 'breakers')?.value).toBe('orders open');
    expect(figures.find((f) => f.label === '429s')?.value).toBe('3');
  });

  it('computes per-second rates between scrapes, and none across a restart', () => {
    expect(ratesBetween({ requests: 10, errors: 1 }, { requests: 30, errors: 1 }, 2)).toEqual({
      requests: 10,
      errors: 0,
    });
    expect(ratesBetween({ requests: 500 }, { requests: 3 }, 1)).toEqual({ requests: 0 });
    expect(ratesBetween(undefined, { requests: 3 }, 1)).toEqual({});
  });
});
