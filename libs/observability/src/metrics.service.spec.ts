import { MetricsService } from './metrics.service';

describe(MetricsService.name, () => {
  it('computes a collected gauge when the registry is scraped', async () => {
    const metrics = new MetricsService();
    let depth = 3;
    metrics.gauge('queue_depth', 'Items waiting.', [], (gauge) => gauge.set(depth));
    expect(await metrics.registry.getSingleMetricAsString('queue_depth')).toContain('queue_depth 3');
    depth = 5;
    expect(await metrics.registry.getSingleMetricAsString('queue_depth')).toContain('queue_depth 5');
  });

  it('returns the gauge already registered under a name instead of throwing', () => {
    const metrics = new MetricsService();
    const first = metrics.gauge('open_streams', 'Open streams.', ['kind']);
    first.set({ kind: 'sse' }, 2);
    expect(metrics.gauge('open_streams', 'Open streams.', ['kind'])).toBe(first);
  });
});
